"""Word lists for the demo shop: Mexican abarrotes products by tax group, brands, people and places.

Data only, no logic. Tax groups follow the usual treatment in Mexico (LIVA / LIEPS): basic foods at IVA 0 %,
sweetened drinks, snacks and candy with IEPS 8 % plus IVA 16 %, stationery and cleaning at IVA 16 %, and
newspapers, magazines and lottery tickets exento (LIVA art. 9). A demo, not tax advice.
"""
from __future__ import annotations

# Flavoured drinks' IEPS per litre (pesos; a demo figure, check the year's LIEPS art. 2 fr. I inciso G amount), for
# every "bebidas" item but plain water, whose rate below then does not apply.
IEPS_CUOTA = "3.0818"
NO_CUOTA = ("Agua mineral",)

# (group, iva, ieps, unit, [(item, [sizes], (min_price, max_price))])
CATEGORIES: list[tuple[str, str, str | None, str, list[tuple[str, list[str], tuple[int, int]]]]] = [
    ("bebidas", "16", "8", "pieza", [
        ("Refresco de cola", ["355 ml", "600 ml", "2 L", "3 L"], (12, 48)),
        ("Refresco de naranja", ["355 ml", "600 ml", "2 L"], (12, 42)),
        ("Refresco de toronja", ["355 ml", "600 ml", "2 L"], (12, 42)),
        ("Refresco de manzana", ["355 ml", "600 ml", "2 L"], (12, 42)),
        ("Agua mineral", ["355 ml", "600 ml", "1.5 L"], (10, 28)),
        ("Jugo de mango", ["250 ml", "1 L"], (9, 35)),
        ("Néctar de durazno", ["250 ml", "1 L"], (9, 35)),
        ("Bebida de horchata", ["500 ml", "1 L"], (14, 32)),
        ("Bebida energética", ["250 ml", "473 ml"], (22, 45)),
        ("Té helado de limón", ["600 ml", "1.5 L"], (14, 34)),
    ]),
    ("botanas y dulces", "16", "8", "pieza", [
        ("Papas fritas con sal", ["45 g", "170 g"], (17, 55)),
        ("Papas adobadas", ["45 g", "170 g"], (17, 55)),
        ("Totopos de maíz", ["200 g", "400 g"], (25, 60)),
        ("Cacahuates japoneses", ["100 g", "250 g"], (14, 40)),
        ("Chicharrón de harina", ["80 g", "200 g"], (12, 35)),
        ("Galletas de chocolate", ["120 g", "360 g"], (18, 55)),
        ("Galletas marías", ["170 g", "850 g"], (14, 52)),
        ("Pan dulce empacado", ["2 piezas", "6 piezas"], (18, 60)),
        ("Chocolate en barra", ["40 g", "100 g"], (12, 40)),
        ("Paleta de caramelo", ["1 pieza", "bolsa 40 piezas"], (3, 85)),
        ("Chicles de menta", ["10 piezas", "bolsa 100 piezas"], (8, 70)),
        ("Mazapán de cacahuate", ["1 pieza", "caja 30 piezas"], (4, 95)),
    ]),
    ("básicos", "0", None, "pieza", [
        ("Arroz súper extra", ["500 g", "1 kg"], (18, 38)),
        ("Frijol negro", ["500 g", "1 kg"], (22, 45)),
        ("Frijol pinto", ["500 g", "1 kg"], (22, 45)),
        ("Azúcar estándar", ["1 kg", "2 kg"], (28, 58)),
        ("Aceite vegetal", ["500 ml", "1 L"], (28, 52)),
        ("Leche entera", ["1 L", "1.5 L"], (24, 36)),
        ("Leche deslactosada", ["1 L"], (26, 34)),
        ("Leche en polvo", ["360 g", "1.5 kg"], (65, 260)),
        ("Huevo blanco", ["12 piezas", "18 piezas", "30 piezas"], (38, 95)),
        ("Harina de maíz", ["1 kg"], (20, 28)),
        ("Harina de trigo", ["1 kg"], (22, 30)),
        ("Pasta para sopa de fideo", ["200 g"], (8, 14)),
        ("Pasta para sopa de codito", ["200 g"], (8, 14)),
        ("Atún en agua", ["140 g"], (18, 32)),
        ("Sardinas en tomate", ["425 g"], (28, 42)),
        ("Chiles jalapeños en escabeche", ["220 g", "380 g"], (14, 32)),
        ("Sal de mesa", ["1 kg"], (10, 18)),
        ("Café soluble", ["50 g", "200 g"], (38, 140)),
        ("Avena en hojuelas", ["400 g", "1 kg"], (20, 48)),
        ("Puré de tomate", ["210 g"], (8, 14)),
        ("Tortillas de maíz", ["1 kg"], (20, 26)),
        ("Pan de caja blanco", ["680 g"], (42, 58)),
        ("Mayonesa", ["190 g", "390 g"], (22, 52)),
        ("Consomé de pollo en cubos", ["12 cubos"], (16, 26)),
    ]),
    ("a granel", "0", None, "kg", [
        ("Queso fresco", [""], (120, 180)),
        ("Queso Oaxaca", [""], (150, 220)),
        ("Queso panela", [""], (130, 190)),
        ("Jamón de pierna", [""], (140, 210)),
        ("Jamón de pavo", [""], (120, 190)),
        ("Chorizo", [""], (110, 170)),
        ("Frijol a granel", [""], (30, 45)),
        ("Arroz a granel", [""], (26, 38)),
        ("Azúcar a granel", [""], (26, 34)),
        ("Chile guajillo seco", [""], (160, 240)),
        ("Cacahuate a granel", [""], (80, 120)),
        ("Tomate saladet", [""], (18, 40)),
        ("Cebolla blanca", [""], (18, 36)),
        ("Limón sin semilla", [""], (20, 55)),
    ]),
    ("limpieza", "16", None, "pieza", [
        ("Jabón de tocador", ["150 g"], (14, 28)),
        ("Detergente en polvo", ["500 g", "1 kg", "5 kg"], (22, 190)),
        ("Cloro", ["950 ml", "3.75 L"], (14, 45)),
        ("Limpiador multiusos", ["1 L", "2 L"], (22, 48)),
        ("Papel higiénico", ["4 rollos", "12 rollos"], (28, 95)),
        ("Servilletas", ["125 piezas", "500 piezas"], (14, 52)),
        ("Lavatrastes líquido", ["750 ml"], (26, 42)),
        ("Shampoo", ["400 ml", "750 ml"], (38, 95)),
        ("Pasta dental", ["100 ml"], (22, 45)),
        ("Pilas alcalinas AA", ["2 piezas", "4 piezas"], (38, 95)),
    ]),
    ("papelería", "16", None, "pieza", [
        ("Cuaderno profesional raya", ["100 hojas"], (28, 55)),
        ("Cuaderno profesional cuadro", ["100 hojas"], (28, 55)),
        ("Cuaderno forma francesa", ["100 hojas"], (20, 38)),
        ("Lápiz del número 2", ["1 pieza", "caja 12 piezas"], (5, 60)),
        ("Pluma punto mediano azul", ["1 pieza"], (6, 14)),
        ("Pluma punto mediano negra", ["1 pieza"], (6, 14)),
        ("Goma blanca", ["1 pieza"], (4, 10)),
        ("Sacapuntas metálico", ["1 pieza"], (5, 12)),
        ("Hojas blancas tamaño carta", ["100 hojas", "500 hojas"], (28, 130)),
        ("Pegamento en barra", ["21 g"], (14, 28)),
        ("Tijeras escolares", ["1 pieza"], (18, 40)),
        ("Cinta adhesiva transparente", ["1 pieza"], (10, 22)),
        ("Colores de madera", ["12 piezas", "24 piezas"], (35, 120)),
        ("Cartulina blanca", ["1 pieza"], (5, 9)),
        ("Sobre amarillo tamaño carta", ["1 pieza"], (3, 6)),
    ]),
    ("exentos", "exento", None, "pieza", [
        ("Periódico del día", [""], (12, 20)),
        ("Revista de espectáculos", [""], (25, 55)),
        ("Revista de crucigramas", [""], (18, 35)),
        ("Cachito de lotería", [""], (20, 40)),
    ]),
]

BRANDS = [
    "Don Chema", "La Huerta", "Sol de Jalisco", "El Molino", "Doña Lupe", "Rancho Viejo", "San Miguel",
    "La Pradera", "Los Altos", "Santa Clara", "El Buen Precio", "La Abuelita", "Tres Hermanos",
    "Valle Verde", "Cumbre", "La Lomita", "El Faro", "Estrella del Norte", "Monarca", "Tepeyac",
]

VARIANTS = ["", " paquete 2", " paquete 3", " paquete 6", " caja 12", " económico", " familiar", " light",
            " sin azúcar", " edición especial"]

FIRST_NAMES = [
    "María", "José", "Juan", "Guadalupe", "Francisco", "Ana", "Luis", "Rosa", "Carlos", "Patricia",
    "Miguel", "Leticia", "Jorge", "Verónica", "Alejandro", "Sofía", "Fernando", "Gabriela", "Ricardo",
    "Alejandra", "Eduardo", "Claudia", "Roberto", "Daniela", "Arturo", "Mónica", "Javier", "Laura",
]
LAST_NAMES = [
    "Hernández", "García", "Martínez", "López", "González", "Pérez", "Rodríguez", "Sánchez", "Ramírez",
    "Cruz", "Flores", "Gómez", "Morales", "Vázquez", "Reyes", "Jiménez", "Torres", "Díaz", "Gutiérrez",
    "Ruiz", "Mendoza", "Aguilar", "Ortiz", "Moreno", "Castillo", "Romero", "Álvarez", "Chávez",
]
COMPANY_WORDS = ["Comercializadora", "Distribuidora", "Abarrotes", "Servicios", "Grupo", "Papelería",
                 "Cocina Económica", "Tortillería", "Taquería", "Farmacia"]
COMPANY_NAMES = ["del Bajío", "Hermanos Ruiz", "La Providencia", "El Sol", "Tres Caminos", "Santa Fe",
                 "del Centro", "La Esperanza", "San José", "Los Pinos", "El Roble", "Del Norte"]

# (código postal, city) — real postal codes of a few city centres.
PLACES = [("44100", "Guadalajara"), ("06700", "Ciudad de México"), ("64000", "Monterrey"), ("72000", "Puebla"),
          ("97000", "Mérida"), ("76000", "Querétaro"), ("37000", "León"), ("22000", "Tijuana")]

EMAIL_DOMAINS = ["correo.mx", "ejemplo.com.mx", "mail.com"]
