"""Word lists the quantity grammar and the frame rules share.

Kept as data so a reader can see (and extend) every word that changes a
decision in one place.
"""
from __future__ import annotations

ONES = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
        "eighty": 80, "ninety": 90}
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
          "trillion": 1_000_000_000_000}
# abbreviations that multiply a digit figure ("$2.6bn", "1.2m people" is NOT taken: "m" is metres)
SCALE_ABBREV = {"bn": 1e9, "b": 1e9, "mln": 1e6, "mn": 1e6, "m": 1e6, "k": 1e3, "tn": 1e12}

FRACTION_DENOMS = {
    "half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4,
    "fourth": 4, "fourths": 4, "fifth": 5, "fifths": 5, "sixth": 6, "sixths": 6,
    "seventh": 7, "sevenths": 7, "eighth": 8, "eighths": 8, "ninth": 9, "ninths": 9,
    "tenth": 10, "tenths": 10,
}

# vague amounts the spec annotates (value null, qualifier vague); longest first in use
VAGUE = (
    "hundreds of thousands", "tens of thousands", "hundreds of millions", "tens of millions",
    "several hundred thousand", "several thousand", "several hundred", "several dozen",
    "a few dozen", "a few hundred", "a few thousand",
    "dozens", "hundreds", "thousands", "millions", "billions", "several", "scores",
)

# qualifier phrases that precede a figure; longest match wins
QUALIFIER_PHRASES = {
    "approx": ("about", "around", "some", "roughly", "approximately", "nearly", "almost",
               "close to", "an estimated", "estimated", "approx.", "circa", "ca.", "~",
               "an approximate", "approximate", "just about", "more or less", "upward of"),
    "over": ("over", "more than", "above", "upwards of", "in excess of", "greater than",
             "exceeding", "just over", "well over", "slightly more than", "just above",
             "well above", "more then"),
    "under": ("less than", "fewer than", "below", "under", "just under", "just below",
              "well under", "slightly less than", "well below"),
    "at_least": ("at least", "no fewer than", "no less than", "not less than", "a minimum of",
                 "not fewer than", "minimum of"),
    "at_most": ("up to", "no more than", "as many as", "at most", "a maximum of", "not more than",
                "maximum of", "as much as", "a maximum"),
}

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
          "sep", "sept", "oct", "nov", "dec")
TIME_UNITS = ("second", "seconds", "minute", "minutes", "hour", "hours", "day", "days", "week",
              "weeks", "month", "months", "year", "years", "decade", "decades", "century",
              "centuries", "night", "nights", "hrs", "hr", "mins", "min", "yrs", "weekend",
              "weekends", "fortnight", "fortnights", "morning", "mornings", "evening", "evenings",
              "afternoon", "afternoons", "season", "seasons", "semester", "quarters")

# unit phrases after a figure -> canonical unit. Longest phrase wins.
UNITS: dict[str, str] = {}


def _add(canon: str, *phrases: str) -> None:
    for p in phrases:
        UNITS[p] = canon


_add("percent", "%", "percent", "per cent", "pct", "percentage points", "percentage point")
_add("hectare", "hectares", "hectare", "ha")
_add("km2", "square kilometers", "square kilometres", "square kilometer", "square kilometre",
     "sq km", "sq. km", "sq. km.", "km2", "km²", "sq kilometers", "sq kilometres")
_add("mi2", "square miles", "square mile", "sq mi", "sq. mi", "sq. miles", "sq miles", "mi2", "mi²")
_add("m2", "square meters", "square metres", "square meter", "square metre", "sq m", "m2", "m²")
_add("ft2", "square feet", "square foot", "sq ft", "sq. ft", "sq. ft.", "ft2", "ft²")
_add("acre", "acres", "acre")
_add("km", "kilometers", "kilometres", "kilometer", "kilometre", "km", "kms")
_add("mi", "miles", "mile")
_add("m", "meters", "metres", "meter", "metre")
_add("ft", "feet", "foot", "ft")
_add("cm", "centimeters", "centimetres", "cm")
_add("mm", "millimeters", "millimetres", "mm")
_add("tonne", "tonnes", "tonne", "metric tons", "metric ton", "metric tonnes", "t")
_add("ton", "tons", "ton")
_add("kg", "kilograms", "kilogrammes", "kilogram", "kilos", "kilo", "kg", "kgs")
_add("g", "grams", "gram", "grammes")
_add("lb", "pounds of", "lbs", "lb")
_add("l", "liters", "litres", "liter", "litre")
_add("gal", "gallons", "gallon")
_add("m3", "cubic meters", "cubic metres", "cubic meter", "cubic metre", "m3", "m³")
_add("bbl", "barrels", "barrel")
_add("USD", "dollars", "dollar", "us dollars", "u.s. dollars", "usd")
_add("EUR", "euros", "euro", "eur")
_add("GBP", "pounds sterling", "british pounds", "gbp")
_add("SYP", "syrian pounds", "syrian pound", "syp")
_add("RUB", "rubles", "roubles", "ruble", "rouble", "rub")
_add("UAH", "hryvnias", "hryvnia", "hryvnas", "uah")
_add("TRY", "turkish lira", "turkish liras", "lira", "liras", "try")
_add("CNY", "yuan", "cny", "renminbi")
_add("JPY", "yen", "jpy")
_add("INR", "rupees", "inr")
_add("IQD", "iraqi dinars", "iqd")
_add("LBP", "lebanese pounds", "lbp")
_add("EGP", "egyptian pounds", "egp")
_add("SDG", "sudanese pounds", "sdg")
_add("AFN", "afghanis", "afn")
_add("ILS", "shekels", "shekel", "ils")
_add("CHF", "swiss francs", "chf")

# units written as one token directly after digits ("5km", "93%", "100kg")
ATTACHED_UNITS = {"%": "percent", "km": "km", "kms": "km", "km2": "km2", "km²": "km2", "m2": "m2",
                  "m²": "m2", "ha": "hectare", "kg": "kg", "kgs": "kg", "t": "tonne", "mm": "mm",
                  "cm": "cm", "ft": "ft", "mi": "mi", "lb": "lb", "lbs": "lb", "l": "l"}

CURRENCY_PREFIX = {"us$": "USD", "$": "USD", "usd": "USD", "€": "EUR", "eur": "EUR", "£": "GBP",
                   "gbp": "GBP", "₽": "RUB", "rub": "RUB", "syp": "SYP", "₴": "UAH", "uah": "UAH",
                   "¥": "JPY", "₹": "INR", "a$": "AUD", "c$": "CAD", "chf": "CHF", "₺": "TRY",
                   "₪": "ILS"}
