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

MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
               "october", "november", "december")
MONTH_ABBREVS = ("jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec")
MONTHS = MONTH_NAMES + MONTH_ABBREVS
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
_add("ton", "tons", "ton", "short tons", "short ton", "long tons", "long ton")
_add("kg", "kilograms", "kilogrammes", "kilogram", "kilos", "kilo", "kg", "kgs")
_add("g", "grams", "gram", "grammes")
_add("lb", "pounds of", "lbs", "lb")
_add("l", "liters", "litres", "liter", "litre")
_add("gal", "gallons", "gallon")
_add("m3", "cubic meters", "cubic metres", "cubic meter", "cubic metre", "m3", "m³")
_add("bbl", "barrels", "barrel")
_add("magnitude", "magnitude")  # "a 7.8 magnitude earthquake"
_add("dunum", "dunums", "dunum", "dunams", "dunam", "donums")  # 1,000 m2, the Levant's land measure
_add("°c", "degrees celsius", "degrees centigrade", "°c")
_add("°f", "degrees fahrenheit", "°f")
# speeds, sea distances, pressure, rainfall (storms, shipwrecks, heat waves)
_add("mph", "mph", "miles per hour", "miles an hour")
_add("km/h", "km/h", "kph", "kmh", "km/hr", "kilometers per hour", "kilometres per hour", "kilometers an hour",
     "kilometres an hour")
_add("kn", "knots")
_add("nmi", "nautical miles", "nautical mile")
_add("mbar", "millibars", "millibar", "mbar")
_add("hpa", "hectopascals", "hectopascal", "hpa")
_add("in", "inches", "inch")
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
_add("ILS", "shekels", "shekel", "new shekels", "new israeli shekels")
_add("AFN", "afghanis", "afn")
_add("ILS", "shekels", "shekel", "ils")
_add("CHF", "swiss francs", "chf")
# more currencies by name, after the figure ("200 million pula"); a bare name that several
# countries use ("pesos", "dinars", "shillings", "rials", "francs", "dirhams") stays unresolved
# unless the nationality comes with it
_add("USD", "american dollars")
_add("CAD", "canadian dollars", "canadian dollar")
_add("AUD", "australian dollars", "australian dollar")
_add("NZD", "new zealand dollars")
_add("HKD", "hong kong dollars")
_add("SGD", "singapore dollars", "singaporean dollars")
_add("TWD", "taiwan dollars", "new taiwan dollars", "taiwanese dollars")
_add("ZWL", "zimbabwe dollars", "zimbabwean dollars")
_add("LRD", "liberian dollars")
_add("NAD", "namibian dollars")
_add("JMD", "jamaican dollars")
_add("XCD", "east caribbean dollars")
_add("BND", "brunei dollars")
_add("FJD", "fijian dollars")
_add("THB", "baht", "thai baht")
_add("BWP", "pula")
_add("NGN", "naira")
_add("ZAR", "rand", "south african rand")
_add("GHS", "cedis", "cedi", "ghana cedis")
_add("ETB", "birr", "ethiopian birr")
_add("BDT", "taka", "bangladeshi taka")
_add("MMK", "kyats", "kyat")
_add("KHR", "riels", "riel")
_add("VND", "vietnamese dong", "dong")
_add("IDR", "rupiah", "indonesian rupiah")
_add("MYR", "ringgit", "malaysian ringgit")
_add("PLN", "zlotys", "zloty", "zlotych", "polish zlotys")
_add("HUF", "forints", "forint")
_add("CZK", "korunas", "koruna", "czech crowns", "czech korunas")
_add("SEK", "swedish kronor", "swedish krona", "kronor")
_add("NOK", "norwegian kroner", "norwegian krone")
_add("DKK", "danish kroner", "danish krone")
_add("ISK", "icelandic kronur", "icelandic kronas")
_add("RON", "romanian lei", "lei")
_add("MDL", "moldovan lei")
_add("BGN", "leva", "bulgarian lev", "bulgarian leva")
_add("GEL", "lari", "georgian lari")
_add("AMD", "drams", "armenian drams")
_add("AZN", "azerbaijani manat", "azerbaijani manats")
_add("TMT", "turkmen manat")
_add("KZT", "tenge", "kazakh tenge")
_add("UZS", "uzbek som", "uzbek soums", "soums")
_add("KGS", "kyrgyz som", "kyrgyz soms")
_add("TJS", "somoni", "tajik somoni")
_add("MNT", "tugriks", "tugrik", "togrog")
_add("KRW", "south korean won", "korean won")
_add("KPW", "north korean won")
_add("VES", "bolivars", "bolivares", "bolívares")
_add("BRL", "reais", "brazilian reais", "brazilian real")
_add("ARS", "argentine pesos", "argentinian pesos")
_add("MXN", "mexican pesos")
_add("PHP", "philippine pesos")
_add("COP", "colombian pesos")
_add("CLP", "chilean pesos")
_add("CUP", "cuban pesos")
_add("UYU", "uruguayan pesos")
_add("DOP", "dominican pesos")
_add("PEN", "soles", "peruvian soles")
_add("GTQ", "quetzales", "quetzals")
_add("HNL", "lempiras")
_add("NIO", "cordobas", "córdobas")
_add("CRC", "colones")
_add("PYG", "guaranis")
_add("HTG", "gourdes", "gourde", "haitian gourdes")
_add("JOD", "jordanian dinars")
_add("KWD", "kuwaiti dinars")
_add("LYD", "libyan dinars")
_add("DZD", "algerian dinars")
_add("TND", "tunisian dinars")
_add("RSD", "serbian dinars")
_add("BHD", "bahraini dinars")
_add("SAR", "saudi riyals", "saudi riyal")
_add("QAR", "qatari riyals", "qatari riyal")
_add("IRR", "iranian rials", "iranian rial")
_add("OMR", "omani rials", "omani rial")
_add("YER", "yemeni rials", "yemeni rial")
_add("AED", "uae dirhams", "emirati dirhams")
_add("MAD", "moroccan dirhams")
_add("PKR", "pakistani rupees")
_add("LKR", "sri lankan rupees")
_add("NPR", "nepalese rupees", "nepali rupees")
_add("INR", "indian rupees", "rupee")
_add("MUR", "mauritian rupees")
_add("KES", "kenyan shillings")
_add("UGX", "ugandan shillings", "ugandan shilling")
_add("TZS", "tanzanian shillings")
_add("SOS", "somali shillings")
_add("XOF", "west african cfa francs")
_add("XAF", "central african cfa francs")
_add("CDF", "congolese francs")
_add("RWF", "rwandan francs")
_add("BIF", "burundian francs")
_add("GNF", "guinean francs")
_add("MGA", "ariary", "malagasy ariary")
_add("ZMW", "zambian kwacha")
_add("MWK", "malawian kwacha")
_add("AOA", "kwanzas", "kwanza")
_add("MZN", "meticais", "metical")
_add("SSP", "south sudanese pounds")
_add("BYN", "belarusian rubles", "belarusian roubles")
_add("RUB", "russian rubles", "russian roubles")
_add("ILS", "new israeli shekels", "israeli shekels")
_add("UAH", "ukrainian hryvnias")
_add("CNY", "chinese yuan")
_add("JPY", "japanese yen")

# ISO 4217 codes, read only when written in capitals next to a figure ("SGD 5 million",
# "12 million SGD"); the codes that are also English words or other abbreviations are left out
ISO_CURRENCIES = frozenset("""
AED AFN AOA ARS AUD AWG AZN BBD BDT BGN BHD BIF BMD BND BRL BSD BTN BWP BYN BZD CAD CDF CHF CLP
CNY COP CRC CZK DJF DKK DOP DZD EGP ETB EUR FJD GBP GHS GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR
IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LYD MDL MGA MKD MMK MNT
MRU MUR MVR MWK MXN MYR MZN NAD NGN NOK NPR NZD OMR PGK PKR PLN PYG QAR RON RSD RUB RWF SAR SCR
SDG SEK SGD SLE SSP SYP SZL THB TJS TMT TND TWD TZS UAH UGX USD UYU UZS VES VND XAF XCD XOF ZAR ZMW
ZWL""".split())

# units written as one token directly after digits ("5km", "93%", "100kg")
ATTACHED_UNITS = {"%": "percent", "km": "km", "kms": "km", "km2": "km2", "km²": "km2", "m2": "m2",
                  "m²": "m2", "ha": "hectare", "kg": "kg", "kgs": "kg", "t": "tonne", "mm": "mm",
                  "cm": "cm", "ft": "ft", "mi": "mi", "lb": "lb", "lbs": "lb", "l": "l", "mph": "mph", "kph": "km/h",
                  "km/h": "km/h", "kmh": "km/h"}

CURRENCY_PREFIX = {"us$": "USD", "$": "USD", "usd": "USD", "€": "EUR", "eur": "EUR", "£": "GBP",
                   "gbp": "GBP", "₽": "RUB", "rub": "RUB", "syp": "SYP", "₴": "UAH", "uah": "UAH",
                   "¥": "JPY", "₹": "INR", "a$": "AUD", "c$": "CAD", "chf": "CHF", "₺": "TRY",
                   "₪": "ILS", "hk$": "HKD", "nz$": "NZD", "s$": "SGD", "nt$": "TWD", "r$": "BRL",
                   "au$": "AUD", "ca$": "CAD", "₦": "NGN", "₩": "KRW", "₱": "PHP", "฿": "THB", "₫": "VND",
                   "₸": "KZT", "₾": "GEL", "₼": "AZN", "৳": "BDT",
                   # local abbreviations ("Tk 90", "KSh 400", "NIS 5 billion"), with a word boundary before
                   "tk": "BDT", "ksh": "KES", "nis": "ILS", "tsh": "TZS", "ush": "UGX"}
