"""A small stand-in for the browser's DOM and Pyodide's proxies, so screens and the view layer run in CPython and
tests can read what a screen shows, press its buttons and count the listeners it leaves alive.

It models only what web/caja_pos uses: elements with text, attributes, `dataset`, `hidden`/`value`/`disabled`,
children, `closest`/`querySelectorAll` for `[data-x]` and `#id` selectors, bubbling events with capture, and
proxies that must be destroyed. `install(monkeypatch)` points web/caja_pos/platform.py at it.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


class Dataset:
    def __init__(self, node: Element) -> None:
        object.__setattr__(self, "_node", node)

    def __getattr__(self, name: str) -> Any:
        return self._node.attrs.get("data-" + _kebab(name))

    def __setattr__(self, name: str, value: Any) -> None:
        self._node.attrs["data-" + _kebab(name)] = str(value)


def _kebab(name: str) -> str:
    return "".join("-" + c.lower() if c.isupper() else c for c in name)


class Nodes:
    def __init__(self, items: list[Element]) -> None:
        self.items = items
        self.length = len(items)

    def item(self, i: int) -> Element:
        return self.items[i]


class Event:
    def __init__(self, kind: str, target: Element, **fields: Any) -> None:
        self.type = kind
        self.target = target
        self.timeStamp = 0.0
        self.ctrlKey = self.altKey = self.metaKey = self.shiftKey = False
        self.key = ""
        self.default_prevented = False
        self.stopped = False
        for name, value in fields.items():
            setattr(self, name, value)

    def preventDefault(self) -> None:
        self.default_prevented = True

    def stopPropagation(self) -> None:
        self.stopped = True


class Target:
    def __init__(self) -> None:
        self.listeners: list[tuple[str, Any, bool]] = []

    def addEventListener(self, kind: str, proxy: Any, capture: bool = False) -> None:
        self.listeners.append((kind, proxy, bool(capture)))

    def removeEventListener(self, kind: str, proxy: Any, capture: bool = False) -> None:
        self.listeners.remove((kind, proxy, bool(capture)))

    def _fire(self, event: Event, capture: bool) -> None:
        for kind, proxy, cap in list(self.listeners):
            if kind == event.type and cap == capture and not event.stopped:
                proxy(event)


class Element(Target):
    def __init__(self, doc: Document, tag: str) -> None:
        super().__init__()
        self.ownerDocument = doc
        self.tagName = tag.upper()
        self.attrs: dict[str, str] = {}
        self.children: list[Element] = []
        self.parent: Element | Document | None = None
        self._text = ""
        self.hidden = False
        self.value = ""
        self.disabled = False
        self.className = ""
        self.dataset = Dataset(self)
        self.style = type("Style", (), {})()
        self.isContentEditable = False

    # text and tree
    @property
    def textContent(self) -> str:
        return self._text + "".join(c.textContent for c in self.children)

    @textContent.setter
    def textContent(self, text: str) -> None:
        self.replaceChildren()
        self._text = str(text)

    def append(self, *nodes: Element) -> None:
        for node in nodes:
            if node.parent is not None:
                node.parent.children.remove(node)
            node.parent = self
            self.children.append(node)

    def replaceChildren(self, *nodes: Element) -> None:
        for child in self.children:
            child.parent = None
        self.children = []
        self._text = ""
        self.append(*nodes)

    @property
    def isConnected(self) -> bool:
        node: Any = self
        while isinstance(node, Element):
            node = node.parent
        return isinstance(node, Document)

    @property
    def id(self) -> str:
        return self.attrs.get("id", "")

    def setAttribute(self, name: str, value: str) -> None:
        self.attrs[name] = str(value)
        if name == "hidden":
            self.hidden = True
        elif name == "value":
            self.value = str(value)
        elif name == "disabled":
            self.disabled = True

    def getAttribute(self, name: str) -> str | None:
        return self.attrs.get(name)

    def focus(self) -> None:
        self.ownerDocument.activeElement = self

    # queries
    def matches(self, selector: str) -> bool:
        if selector.startswith("#"):
            return self.id == selector[1:]
        if selector.startswith("[") and selector.endswith("]"):
            return selector[1:-1] in self.attrs
        return self.tagName == selector.upper()

    def closest(self, selector: str) -> Any:
        node: Any = self
        while isinstance(node, Element):
            if node.matches(selector):
                return node
            node = node.parent
        return None

    def contains(self, other: Element) -> bool:
        return other is self or other in self.walk()

    def walk(self) -> list[Element]:
        out = []
        for child in self.children:
            out.append(child)
            out.extend(child.walk())
        return out

    def querySelectorAll(self, selector: str) -> Nodes:
        return Nodes([n for n in self.walk() if n.matches(selector)])

    def querySelector(self, selector: str) -> Element | None:
        found = self.querySelectorAll(selector)
        return found.items[0] if found.length else None

    # events
    def dispatch(self, kind: str, **fields: Any) -> Event:
        """Capture from the document down, then bubble from here up, like the browser."""
        event = Event(kind, self, **fields)
        path: list[Any] = []
        node: Any = self
        while node is not None:
            path.append(node)
            node = node.parent
        for node in reversed(path):
            node._fire(event, capture=True)
        for node in path:
            node._fire(event, capture=False)
        return event

    def click(self) -> Event:
        return self.dispatch("click")


class Document(Target):
    def __init__(self) -> None:
        super().__init__()
        self.parent = None
        self.body = Element(self, "body")
        self.body.parent = self
        self.children = [self.body]
        self.activeElement: Element = self.body
        self.documentElement = Element(self, "html")

    def createElement(self, tag: str) -> Element:
        return Element(self, tag)

    def getElementById(self, element_id: str) -> Element | None:
        return next((n for n in self.body.walk() if n.id == element_id), None)


class Proxy:
    live = 0

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn: Callable[..., Any] | None = fn
        Proxy.live += 1

    def __call__(self, *args: Any) -> Any:  # an event for a listener
        assert self.fn is not None, "a destroyed proxy was called (its listener should have gone with it)"
        return self.fn(*args)

    def destroy(self) -> None:
        assert self.fn is not None, "proxy destroyed twice"
        self.fn = None
        Proxy.live -= 1


def page(doc: Document) -> None:
    """The parts of index.html the screens look up by id."""
    for tag, element_id in (("div", "boot"), ("main", "app"), ("div", "overlay"), ("div", "toast"),
                            ("button", "menu-button"), ("button", "sync-icon"), ("span", "sync-badge")):
        node = doc.createElement(tag)
        node.setAttribute("id", element_id)
        doc.body.append(node)
    doc.getElementById("overlay").hidden = True


def install(monkeypatch: pytest.MonkeyPatch) -> Document:
    from caja_pos import platform
    from caja_pos.ui import dialogs

    doc = Document()
    page(doc)
    fake_js = type("FakeJs", (), {"document": doc, "window": doc})
    monkeypatch.setattr(platform, "js", fake_js)
    monkeypatch.setattr(platform, "create_proxy", Proxy)
    monkeypatch.setattr(platform, "_live_proxies", [0])
    monkeypatch.setattr(dialogs.dialogs, "_stack", [])  # the page's one stack, as the screens imported it
    monkeypatch.setattr(dialogs.dialogs, "_remove_key", None)
    monkeypatch.setattr(dialogs.dialogs, "_openers", {})
    Proxy.live = 0
    return doc
