"""The view layer under the screens: building elements from text, listening, the page-wide calls, the header."""
