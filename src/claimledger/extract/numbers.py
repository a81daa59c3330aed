"""The quantity grammar: find every stated figure in raw text.

``find_quantities(text)`` scans the text with compiled regular expressions and
returns :class:`Quantity` records: span, value, range end, qualifier, unit. It
knows nothing of sentences or syntax; what a figure counts and who said it is
decided later (``frames``, ``attribution``). It rejects what is not a claim by
the spec: dates, clock times, years, durations, ordinals, ages, numbers inside
names and identifiers.

Own code because no library covers this well: quantulum3 is slow and loose
(``two dozen`` -> 2 dozen, no qualifiers); ``text2num`` is used for the value
of spelled-out numbers, which it does well.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import Optional

from text_to_num import text2num

from claimledger.extract import lexicon as L

_SEP = "[,\u00a0\u2009\u202f]"  # thousands separators; "." handled separately
_DIGITS = (
    rf"\d{{1,3}}(?:{_SEP}\d{{3}})+(?:\.\d+)?"  # 10,500  10 500 (nbsp/thin)  1,234.5
    r"|\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?"  # 1.234.567 (dotted thousands)
    r"|\d+(?:\.\d+)?"
)
_NUMWORD = "|".join(sorted(list(L.ONES) + list(L.TENS) + list(L.SCALES), key=len, reverse=True))
_WORDSEQ = rf"(?:{_NUMWORD})(?:(?:[\s\-]+|\s+and\s+)(?:{_NUMWORD}))*"
_FRAC_DEN = "|".join(sorted(L.FRACTION_DENOMS, key=len, reverse=True))
_FRAC = rf"(?:one|a|two|three|four|five|six|seven|eight|nine)[\s\-]+(?:{_FRAC_DEN})"
_VAGUE = "|".join(re.escape(v).replace(r"\ ", r"\s+") for v in L.VAGUE)

# One pass over the text finds "cores"; context around each core is read after.
_CORE = re.compile(
    rf"(?P<vague>(?<![\w\-])(?:{_VAGUE})(?![\w\-]))"
    rf"|(?P<dozen>(?<![\w\-])(?:(?:{_WORDSEQ}|\d+|a|half\s+a)\s+)?dozen(?![\w\-]))"
    rf"|(?P<frac>(?<![\w\-])(?:{_FRAC})(?![\w\-]))"
    rf"|(?P<half>(?<![\w\-])half(?![\w\-]))"
    rf"|(?P<digits>(?<![\w.,])(?:{_DIGITS}))"
    rf"|(?P<words>(?<![\w\-])(?:a\s+(?:hundred|thousand|million|billion)|{_WORDSEQ})(?![\w]))",
    re.IGNORECASE,
)

_SCALE_AFTER = re.compile(
    r"(?P<sp>[\s\u00a0\u2009\u202f]*)(?P<scale>hundred|thousand|million|billion|trillion"
    r"|bn|mln|mn|tn|m|b|k)(?![\w])",
    re.IGNORECASE,
)


def _phrase_re(phrases, after: bool) -> re.Pattern[str]:
    alts = "|".join(
        re.escape(p).replace(r"\ ", r"[\s\u00a0]+") for p in sorted(phrases, key=len, reverse=True)
    )
    if after:
        return re.compile(rf"[\s\u00a0\u2009\u202f]*-?(?P<u>{alts})(?![\w²³])", re.IGNORECASE)
    return re.compile(rf"(?<![\w])(?P<q>{alts})[\s\u00a0]*$", re.IGNORECASE)


_UNIT_AFTER = _phrase_re(L.UNITS, after=True)
_UNIT_ATTACHED = re.compile(
    "(?P<u>" + "|".join(re.escape(u) for u in sorted(L.ATTACHED_UNITS, key=len, reverse=True))
    + r")(?![\w²³])", re.IGNORECASE)
_QUAL_BEFORE = {q: _phrase_re(ps, after=False) for q, ps in L.QUALIFIER_PHRASES.items()}
_CURRENCY_BEFORE = re.compile(
    "(?P<c>" + "|".join(re.escape(c) for c in sorted(L.CURRENCY_PREFIX, key=len, reverse=True))
    + r")[\s\u00a0]?$", re.IGNORECASE)
# an ISO 4217 code in capitals before or after a figure ("SGD 5 million", "12 million SGD")
_ISO_BEFORE = re.compile(r"(?<![\w$€£])(?P<c>[A-Z]{3})[\s\u00a0]?$")
_ISO_AFTER = re.compile(r"[\s\u00a0]+(?P<u>[A-Z]{3})(?![\w])")
_TEMP_LETTER = re.compile(r"(?P<sp>[\s\u00a0]?)(?P<u>[CF])(?![\w’'-])")
_TEMP_CUE = re.compile(r"(?i)temperature|heat|degrees|hott?est|celsius|fahrenheit|°|thermometer|scorching|mercury")
_WEAPON_AFTER = re.compile(r"[\s\u00a0-]*(?:[a-z-]+[\s\u00a0]+)?(?:artillery|shells?|mortars?|howitzers?|guns?|"
                           r"rockets?|rounds?|cannons?|bullets?|calib(?:re|er)|ammunition|munitions|missiles?)\b",
                           re.IGNORECASE)
_MONTH = "|".join(L.MONTHS)
# (a full month name then "." ends a sentence: "on 19 August. 18 people died" - only "Aug. 18" is a date)
_MONTH_BEFORE = re.compile(rf"(?<![\w])(?:(?:{'|'.join(L.MONTH_NAMES)})|(?:{'|'.join(L.MONTH_ABBREVS)})\.?)"
                           r"[\s\u00a0]*(?:the[\s\u00a0]+)?$", re.IGNORECASE)
_MONTH_AFTER = re.compile(rf"^(?:st|nd|rd|th)?[\s\u00a0]*(?:of[\s\u00a0]+)?(?:{_MONTH})(?![a-z])",
                          re.IGNORECASE)
_TIME_AFTER = re.compile(
    r"^[\s\u00a0]*(?:-[\s\u00a0]*)?(?:(?:consecutive|straight|successive|full|long|more|additional|further|extra)[\s\u00a0]+)?(?:"
    + "|".join(L.TIME_UNITS) + r")(?![\w])", re.IGNORECASE)
_AGE_AFTER = re.compile(r"^[\s\u00a0]*-?[\s\u00a0]*(?:years?|months?|weeks?)[\s\u00a0]*-?[\s\u00a0]*old"
                        r"|^[\s\u00a0]+or[\s\u00a0]+(?:older|younger)\b", re.IGNORECASE)  # "50 or older"
_AGE_BEFORE = re.compile(r"(?:\baged|\bages|\bage of|\bage)[\s\u00a0]*(?:between[\s\u00a0]+|from[\s\u00a0]+)?$",
                         re.IGNORECASE)
# "children under 18", "some younger than five", "those over 65": an age limit
_AGE_LIMIT_BEFORE = re.compile(
    r"(?:\b(?:younger|older)[\s\u00a0]+than|\b(?:children|kids|minors|boys|girls|youths?|teenagers|"
    r"people|persons|those|anyone|adults|men|women)[\s\u00a0]+(?:under|over|below|above))[\s\u00a0]*$",
    re.IGNORECASE)
# "Omarov, 40, and ...", "Alinejad, 48, told VOA": a bare number in commas after a name is an age
_NAME_COMMA_BEFORE = re.compile(r"(?<![\w.])[A-Z][\w’'-]*[a-z][\w’'-]*,[\s\u00a0]*$")
_AGE_COMMA_AFTER = re.compile(r"^[\s\u00a0]*(?:,|\)|;|\.[\s\u00a0]+[A-Z])")
# "type 2 diabetes", "size 40", "Category 5", "Group of Seven": a number that names, not counts
_LABEL_BEFORE = re.compile(
    r"(?:\b(?i:type|size|category|level|grade|stage|class|verse|chapter|article|section|page|paragraph|"
    r"resolution|decree|flight|route|highway|channel|platform|gate|terminal)|"
    r"\bGroup[\s\u00a0]+of|\bN(?:o|os|r)\.|#"
    # "the health hotline 16263", "A hotline, 1551, was opened", "call 112"
    r"|\b(?i:hotline|helpline|help[\s\u00a0]+line|toll-free[\s\u00a0]+(?:number|line)|call|dial|text)"
    r"(?:[\s\u00a0]+(?i:number|on|at))?[\s\u00a0]*[,:]?)[\s\u00a0]*$")
_FURNITURE_BEFORE = re.compile(r"\b(?:Share|Shares|Comments|Likes|Views|Tweet|Retweet)[\s\u00a0:]*$")
_CALIBRE_BEFORE = re.compile(r"\bcalib(?:re|er)s?[\s\u00a0]+(?:of[\s\u00a0]+)?$", re.IGNORECASE)
_MINUS_BEFORE = re.compile(r"\bminus[\s\u00a0]+$", re.IGNORECASE)
_MAGNITUDE_BEFORE = re.compile(r"\bmagnitude[\s\u00a0-]+$", re.IGNORECASE)
# page furniture: "14 comments | 256 shares" (on a short line)
_FURNITURE_AFTER = re.compile(r"^[\s\u00a0]*(?:comments?|shares?|likes?|views?|retweets?|reposts?|replies|"
                              r"reactions?|followers?|subscribers?)\b", re.IGNORECASE)
# "handed over 233 people", "took over 12 villages": "over" is the verb's particle, not a qualifier
_PARTICLE_OVER = re.compile(r"\b(?:hand|hands|handed|handing|take|takes|took|taken|taking|turn|turns|turned|"
                            r"turning|win|wins|won|winning|pass|passes|passed|passing|watch|watched|preside|"
                            r"presided|fight|fought|carry|carried|start|started|move|moved)[\s\u00a0]+$", re.IGNORECASE)
_CLOCK_AFTER = re.compile(r"^(?::\d\d|[\s\u00a0]*(?:a\.m\.|p\.m\.|am\b|pm\b|gmt\b|utc\b|hrs\b|h\b|o'clock))",
                          re.IGNORECASE)
_ORDINAL_AFTER = re.compile(r"^(?:st|nd|rd|th)(?![a-z])", re.IGNORECASE)
_RANGE_MID = re.compile(r"^[\s\u00a0]*(?:-|–|—|to|and|or)[\s\u00a0]*", re.IGNORECASE)
_HYPHEN_WORD_AFTER = re.compile(r"^-[A-Za-z]")
_YEAR_CONTEXT_BEFORE = re.compile(
    r"(?:\b(?:in|since|of|by|until|till|from|before|after|to|during|year|early|late|mid|and|"
    r"between|summer|winter|spring|autumn|fall|through|circa)|[-–/,(])[\s\u00a0]*$", re.IGNORECASE)
_NAME_FUNCTION_WORDS = {
    "the", "a", "an", "some", "about", "over", "nearly", "almost", "around", "only", "just",
    "all", "another", "those", "these", "its", "their", "with", "and", "of", "in", "on", "at",
    "to", "for", "by", "from", "more", "less", "fewer", "than", "up", "least", "most", "under",
    "above", "below", "roughly", "approximately", "estimated", "as", "many",
    "between", "within", "after", "before", "since", "says", "said", "say", "reports", "say:",
    "killed", "kills", "leaves", "left", "flee", "flees", "fled", "returns", "return",
    "while", "when", "where", "if", "but", "or", "nor", "so", "yet", "that", "which", "who",
    "whom", "whose", "is", "are", "was", "were", "be", "been", "has", "have", "had", "will",
    "would", "could", "should", "may", "might", "must", "can", "other", "overall",
    "total", "including", "includes", "among", "per", "every", "each", "no", "not", "what",
}


@dataclass(frozen=True)
class Quantity:
    """A figure found in text: span, value and unit, before any frame is known."""

    start: int
    end: int
    value: Optional[float]
    high: Optional[float]
    qualifier: str
    unit: str
    num_start: int  # span of the number itself (without qualifier / unit words)
    num_end: int
    weak: bool = False  # "one", "half": keep only if the syntax says it counts something
    conversion_of: Optional[int] = None  # start of the figure this one converts "(...)"

    @property
    def surface_span(self) -> tuple[int, int]:
        return self.start, self.end


def _parse_digits(s: str, followed_by_scale: bool) -> Optional[float]:
    s = s.replace("\u00a0", ",").replace("\u2009", ",").replace("\u202f", ",")
    if s.count(".") >= 2:  # 1.234.567 or 1.234.567,5
        s = s.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}\.\d{3}", s) and not followed_by_scale:
        # "1.500 people": a European thousands group, not a decimal with a trailing zero
        s = s.replace(".", "")
    s = s.replace(",", "")
    try:
        v = float(s)
    except ValueError:
        return None
    return v if math.isfinite(v) else None  # 400 digits overflow to inf


def _parse_words(s: str) -> Optional[float]:
    words = re.sub(r"[\s\-]+", " ", s.lower()).strip()
    if words.startswith("a "):
        words = "one " + words[2:]
    try:
        v = float(text2num(words, "en"))
    except (ValueError, TypeError, OverflowError):
        return None
    return v if math.isfinite(v) else None


def _longest_valid_words(text: str, start: int, end: int) -> Optional[tuple[int, float]]:
    """Longest prefix of a number-word sequence that text2num accepts: (end, value)."""
    seg = text[start:end]
    parts = list(re.finditer(r"[A-Za-z]+", seg))
    for k in range(len(parts), 0, -1):
        cut = start + parts[k - 1].end()
        if seg[: parts[k - 1].end()].lower().split()[-1:] == ["and"]:
            continue
        v = _parse_words(text[start:cut])
        if v is not None:
            return cut, v
    return None


_HALF_SCALE = re.compile(r"[\s\u00a0]+a[\s\u00a0]+(hundred|thousand|million|billion|trillion)(?![\w])",
                         re.IGNORECASE)


def _between_split(text: str, start: int, end: int) -> Optional[tuple[int, float]]:
    """The low end of 'between X and Y' written in words: (end, value).

    The word sequence runs on over the joining "and" ("one hundred and two hundred"), and
    text2num reads "twenty and two hundred" as 2200. Split at an "and" that leaves a valid
    number on each side, high above low, with every other "and" right after a scale word
    ("one hundred and five"); of several such splits, the one with the closest ends.
    """
    seg = text[start:end]

    def canonical(s: str) -> bool:
        words = re.findall(r"[A-Za-z]+", s.lower())
        return bool(words) and words[-1] != "and" and all(
            w != "and" or (i and words[i - 1] in L.SCALES) for i, w in enumerate(words))

    best: Optional[tuple[float, int, float]] = None
    for a in re.finditer(r"[\s\u00a0]+and[\s\u00a0]+", seg):
        left, right = seg[:a.start()], seg[a.end():]
        if not (canonical(left) and canonical(right)):
            continue
        low, high = _parse_words(left), _parse_words(right)
        if low is None or high is None or high <= low:
            continue
        ratio = high / low if low > 0 else math.inf
        if best is None or ratio < best[0]:
            best = (ratio, start + a.start(), low)
    return (best[1], best[2]) if best else None


_DIGIT_WORDS = {**{w: str(v) for w, v in L.ONES.items() if v < 10}, "oh": "0"}
_SPOKEN_DECIMAL = re.compile(
    rf"(?P<int>{_WORDSEQ}|\d+)[\s\-]+point[\s\-]+(?P<dec>(?:{'|'.join(_DIGIT_WORDS)})"
    rf"(?:[\s\-]+(?:{'|'.join(_DIGIT_WORDS)}))*)(?![\w\-])", re.IGNORECASE)


def _spoken_decimal(m: re.Match[str], text: str) -> Optional[tuple[int, Optional[float], str, bool]]:
    """'Seven-point-one million', 'two point five': a decimal read out in words (as "number")."""
    if m.lastgroup not in ("words", "digits"):
        return None
    sd = _SPOKEN_DECIMAL.match(text, m.start())
    if not sd:
        return None
    whole = float(sd.group("int")) if sd.group("int").isdigit() else _parse_words(sd.group("int"))
    if whole is None:
        return None
    dec = "".join(_DIGIT_WORDS[w.lower()] for w in re.split(r"[\s\-]+", sd.group("dec")))
    return sd.end(), whole + float("0." + dec), "number", False


_SMALL_WORDS = {**{w: v for w, v in {**L.ONES, **L.TENS}.items() if v > 0}, "hundred": 100, "a hundred": 100,
                "a thousand": 1000}
_RATIO = re.compile(
    rf"(?P<a>\d{{1,3}}|{'|'.join(w for w in _SMALL_WORDS if ' ' not in w)})[\s\u00a0]+(?:in|out[\s\u00a0]+of)"
    rf"[\s\u00a0]+(?P<b>\d{{1,3}}|{'|'.join(sorted(_SMALL_WORDS, key=len, reverse=True))})(?![\w])", re.IGNORECASE)


def _ratio(m: re.Match[str], text: str) -> Optional[tuple[int, Optional[float], str, bool]]:
    """'one in five', 'nine out of ten', '3 in 10': a share, as a fraction (0.2, 0.9, 0.3)."""
    if m.lastgroup not in ("words", "digits"):
        return None
    r = _RATIO.match(text, m.start())
    if not r:
        return None
    a, b = (float(g) if g.isdigit() else float(_SMALL_WORDS[g.lower()]) for g in (r.group("a"), r.group("b")))
    if not 0 < a < b or _TIME_AFTER.match(text[r.end():r.end() + 20]):
        return None  # "one in 2016" is no share; nor "one in five days"
    return r.end(), round(a / b, 4), "fraction", False


def _core_value(m: re.Match[str], text: str) -> Optional[tuple[int, Optional[float], str, bool]]:
    """(end, value, kind, weak) of a core match; None if it is not a figure."""
    kind = m.lastgroup or ""
    s = m.group(0)
    low = s.lower()
    if kind == "vague":
        return m.end(), None, "vague", False
    if kind == "dozen":
        head = re.sub(r"\s+", " ", re.sub(r"\s*dozen$", "", low)).strip()  # "half\u00a0a dozen"
        if not head or head == "a":
            mult: Optional[float] = 1.0
        elif head == "half a":
            mult = 0.5
        elif head.isdigit():
            mult = float(head)
        else:
            mult = _parse_words(head)
        return (m.end(), mult * 12, "number", False) if mult is not None else None
    if kind == "frac":
        num_word, den_word = re.split(r"[\s\-]+", low)
        num = 1 if num_word in ("a", "one") else L.ONES[num_word]
        den = L.FRACTION_DENOMS[den_word]
        plural_den = den_word.endswith("s") and den_word != "halves"
        if num == 1 and plural_den:
            return None  # "one thirds": not a fraction
        return m.end(), round(num / den, 4), "fraction", False
    if kind == "half":
        hm = _HALF_SCALE.match(text, m.end())
        if hm:  # "half a million" = 500000, a count, not the fraction 0.5
            return hm.end(), 0.5 * L.SCALES[hm.group(1).lower()], "number", False
        return m.end(), 0.5, "fraction", True
    if kind == "digits":
        return m.end(), None, "digits", False  # value filled by caller (needs scale look-ahead)
    if kind == "words":
        got = None
        if re.search(r"between[\s\u00a0]+$", text[max(0, m.start() - 12):m.start()], re.IGNORECASE):
            got = _between_split(text, m.start(), m.end())  # "between one hundred and two hundred"
        got = got or _longest_valid_words(text, m.start(), m.end())
        if got is None:
            return None
        end, value = got
        weak = text[m.start():end].lower() in ("one", "a hundred", "a thousand", "a million")
        return end, value, "number", weak or text[m.start():end].lower() == "one"
    return None


def _title_case_line(text: str, pos: int) -> bool:
    ls = text.rfind("\n", 0, pos) + 1
    le = text.find("\n", pos)
    line = text[ls: le if le >= 0 else len(text)]
    words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", line)]
    if len(words) < 3:
        return False
    small = ("of", "in", "on", "and", "the", "to", "for", "a", "an", "at", "by", "from", "with")
    caps = sum(1 for w in words if w[0].isupper() or w.lower() in small)
    return caps / len(words) >= 0.85


def _prev_word(text: str, pos: int) -> tuple[str, int]:
    m = re.search(r"([^\s\u00a0]+)[\s\u00a0]*$", text[max(0, pos - 40):pos])
    if not m:
        return "", pos
    return m.group(1), max(0, pos - 40) + m.start(1)


def _short_line(text: str, at: int, words: int = 10) -> bool:
    """Is the line holding ``at`` short (page furniture, not prose)?"""
    ls = text.rfind("\n", 0, at) + 1
    le = text.find("\n", at)
    return len(text[ls:le if le >= 0 else len(text)].split()) <= words


def _is_name_number(text: str, start: int) -> bool:
    """'Operation Nasr 1', 'Resolution 2254': a number right after a proper name."""
    word, wstart = _prev_word(text, start)
    if not word or not word[0].isupper() or not word.isalpha() or len(word) < 2:
        return False
    if word.lower() in _NAME_FUNCTION_WORDS or word.lower().rstrip(".") in L.MONTHS:
        return False
    if word in L.ISO_CURRENCIES or word.lower() in L.CURRENCY_PREFIX:
        return False  # "SGD 5 million", "EUR 12 million": a currency, not a name
    # sentence-initial capital is no proper-name signal
    before = text[max(0, wstart - 3):wstart]
    if wstart == 0 or re.search(r"[.!?:\n\"“]\s*$", before) or before.strip() == "":
        if wstart == 0 or "\n" in before or re.search(r"[.!?:\"“]", before):
            return False
    if _title_case_line(text, start):
        return False
    return True


def _is_year(text: str, start: int, end: int, value: float) -> bool:
    s = text[start:end]
    if not re.fullmatch(r"\d{4}", s) or not 1800 <= value <= 2100:
        return False
    after = text[end:end + 30]
    # "2016 people" would be a count, but only if a plural noun follows directly
    m = re.match(r"[\s\u00a0]+([a-z]+)", after)
    if m and m.group(1).endswith("s") and m.group(1) not in ("was", "is", "has", "as", "its", "this"):
        return bool(_YEAR_CONTEXT_BEFORE.search(text[max(0, start - 20):start]))
    return True


def find_quantities(text: str) -> list[Quantity]:
    """Every figure in ``text`` (see module doc), in text order, non-overlapping."""
    out: list[Quantity] = []
    # phone numbers: three or more digit groups, or a leading "+" / "0"
    blocked = [(m.start(), m.end()) for m in _PHONE.finditer(text)]
    pos = 0
    skip_name_continuation = -1
    for m in _CORE.finditer(text):
        if m.start() < pos:
            continue
        if any(a <= m.start() < b for a, b in blocked):
            continue
        core = _spoken_decimal(m, text) or _ratio(m, text) or _core_value(m, text)
        if core is None:
            continue
        core_end, value, kind, weak = core
        num_start, num_end = m.start(), core_end
        before = text[max(0, num_start - 40):num_start]
        after = text[num_end:num_end + 40]

        if kind == "digits":
            # identifiers and names: COVID-19, Al-Rashidin-4, F-16, MH17, +3, #5, 24/7, x.html
            prev_ch = text[num_start - 1] if num_start else ""
            if prev_ch and (prev_ch.isalpha() or prev_ch in "+#/@_\\:") and not (
                    prev_ch == "+" and text[num_start - 2:num_start - 1] == "("
                    and re.match(r"[\d,]*\)", text[num_start:num_start + 16])):
                continue  # (but "tanks – 11,256 (+3)": a day's increase is a figure)
            if prev_ch in "-–" and num_start >= 2 and (text[num_start - 2].isalnum()):
                continue
            nxt = text[num_end:num_end + 1]
            if nxt == "/" or (nxt == ":" and text[num_end + 1:num_end + 2].isdigit()):
                continue
            if _ORDINAL_AFTER.match(after):
                continue
            if re.match(r"\d+(?:-\d+){2,}", text[num_start:num_start + 30]):
                continue  # phone numbers, ids
        if num_start <= skip_name_continuation:
            continue
        # dates, clock times, durations, ages
        if kind in ("digits", "number"):
            if _MONTH_BEFORE.search(before) or _MONTH_AFTER.match(after):
                continue
            if _CLOCK_AFTER.match(after):
                continue
        if kind in ("digits", "number", "vague", "fraction"):
            if _AGE_AFTER.match(after) or (kind != "vague" and _AGE_BEFORE.search(before)):
                pos = max(pos, _range_end(text, num_end))  # "aged 6 to 14": the upper age is no figure either
                continue
            if _TIME_AFTER.match(after) and not re.match(r"^[\s\u00a0]+of\b", after):
                continue
            if kind != "vague" and _AGE_LIMIT_BEFORE.search(before) and not _UNIT_AFTER.match(after):
                continue
        if kind in ("digits", "number") and not _UNIT_AFTER.match(after):
            if _LABEL_BEFORE.search(before):
                continue
            if re.search(r"\b(?i:day|week)[\s\u00a0]*$", before) and re.match(r"[\s\u00a0]*(?:of\b|[:)\]—–,]|$)",
                                                                             after):
                continue  # "in week 3 of the outbreak", "day 628 of the war": a count of days is no figure
            if (_FURNITURE_AFTER.match(after) or _FURNITURE_BEFORE.search(before)) and _short_line(text, num_start):
                continue
            if kind == "digits" and re.match(r"\d{1,3}$", m.group(0)) and 0 < int(m.group(0)) < 120 \
                    and _NAME_COMMA_BEFORE.search(before) and _AGE_COMMA_AFTER.match(after):
                continue
        if kind == "digits" and re.match(r"[’']?s(?![\w])", after):
            continue  # decades and ages: "the 1960s", "'70s", "in his 30s"
        if m.lastgroup == "words" and text[num_start:num_end].lower() == "one" and not (
                _BETWEEN.search(before) and _RANGE_NEXT.match(after)  # "between one and two people"
        ) and (
                re.match(r"^[\s\u00a0]*(?:of|another|by|or|and|[,.;:)]|$)", after, re.I)
                or re.search(r"(?:\b(?:no|the|each|every|any|this|that|which|only|a|another)[\s\u00a0]+)$",
                             before, re.I)
                or re.search(r"(?:^|[.!?:]\s+|\n)(?:In|At|During|On|From)[\s\u00a0]+$", before)  # "In one attack,"
                or re.match(r"[\s\u00a0]+another\b", after, re.I)  # "one another"
                or (re.search(r"\bat[\s\u00a0]+$", before, re.I)
                    and re.match(r"[\s\u00a0]+(?:point|stage|time)\b", after, re.I))):  # "at one point"
            continue
        if m.lastgroup == "half":
            if re.match(r"^[\s\u00a0]*-", after) or re.search(r"(?:first|second|latter|other|former)[\s\u00a0]+$",
                                                               before, re.I):
                continue
            if re.match(r"^[\s\u00a0]+(?:an?|the)[\s\u00a0]+(?:" + "|".join(L.TIME_UNITS) + r")\b", after, re.I):
                continue
            if re.search(r"\band[\s\u00a0]+a?[\s\u00a0]*$", before, re.I):
                continue
        # adjectival compounds: "24-hour", "12-member", "three-storey"
        if kind in ("digits", "number") and _HYPHEN_WORD_AFTER.match(after):
            um = _UNIT_AFTER.match(after)
            if not um or not um.group(0).lstrip().startswith("-"):
                continue

        if kind == "digits":
            scale = _SCALE_AFTER.match(text, num_end)
            scale_mult = 1.0
            if scale:
                sw = scale.group("scale").lower()
                if sw in L.SCALES:
                    scale_mult = float(L.SCALES[sw])
                    num_end = scale.end()
                elif not scale.group("sp") and sw in L.SCALE_ABBREV and (
                        sw in ("bn", "mln", "mn", "tn") or _CURRENCY_BEFORE.search(before)):
                    scale_mult = L.SCALE_ABBREV[sw]
                    num_end = scale.end()
            v = _parse_digits(m.group(0), scale_mult != 1.0)
            if v is None:
                continue
            value = v * scale_mult
            if not math.isfinite(value):
                continue
            if scale_mult == 1.0 and _is_year(text, num_start, num_end, v):
                continue
            if _is_name_number(text, num_start):
                skip_name_continuation = _name_continuation_end(text, num_end)
                continue
        elif kind == "number" and value is not None:
            scale = _SCALE_AFTER.match(text, num_end)
            if scale and scale.group("scale").lower() in L.SCALES and scale.group("sp"):
                value *= L.SCALES[scale.group("scale").lower()]
                num_end = scale.end()
                weak = False

        q = _build(text, kind, num_start, num_end, value, weak)
        if q is None:
            continue
        if q.unit in ("mm", "cm") and (_WEAPON_AFTER.match(text, q.end) or _CALIBRE_BEFORE.search(
                text[max(0, q.start - 30):q.start])):
            pos = q.end
            continue  # "a 122mm artillery shell", "152 mm howitzers": a calibre names the weapon
        # ranges: "between X and Y", "from X to Y", "X-Y", "X to Y"
        ranged = _extend_range(text, q)
        if ranged is None:  # "5-7 days": a duration, not a figure; its second number is skipped too
            skip_until = _range_end(text, q.end)
            pos = max(q.end, skip_until)
            continue
        out.append(ranged)
        pos = ranged.end
    return _link_conversions(text, out)


def _range_end(text: str, end: int) -> int:
    """Where the second number of 'X-Y' / 'X to Y' ends (``end`` when there is none)."""
    m = re.match(r"\s*(?:-|–|—|to|and)\s*[\d.,]+", text[end:end + 30])
    return end + m.end() if m else end


def _name_continuation_end(text: str, end: int) -> int:
    m = re.match(r"(?:[\s\u00a0]*(?:,|and|or|&)[\s\u00a0]*\d+)+", text[end:end + 40])
    return end + m.end() if m else end


def _build(text: str, kind: str, num_start: int, num_end: int, value: Optional[float],
           weak: bool) -> Optional[Quantity]:
    start, end = num_start, num_end
    before = text[max(0, start - 40):start]
    qualifier = "vague" if kind == "vague" else "exact"
    unit = "fraction" if kind == "fraction" else "count"

    cur = _CURRENCY_BEFORE.search(before)
    if cur and kind in ("digits", "number", "vague"):
        sym = cur.group("c").lower()
        # ISO letters need a word boundary before them ("USD 5", not "aUSD")
        ok = not sym.isalpha() or re.search(rf"(?<![\w]){re.escape(cur.group('c'))}[\s\u00a0]?$", before)
        if ok:
            unit = L.CURRENCY_PREFIX[sym]
            start -= len(before) - cur.start()
            before = text[max(0, start - 40):start]
    elif kind in ("digits", "number", "vague"):
        iso = _ISO_BEFORE.search(before)
        if iso and iso.group("c") in L.ISO_CURRENCIES:
            unit = iso.group("c")
            start -= len(before) - iso.start()
            before = text[max(0, start - 40):start]

    # unit after the number
    if unit in ("count",) and kind != "fraction":
        after = text[end:end + 40]
        um = None
        if kind == "vague":
            vm = re.match(r"[\s\u00a0]+of[\s\u00a0]+", after)
            if vm:
                um2 = _UNIT_AFTER.match(text, end + vm.end() - 1)
                if um2 and L.UNITS[re.sub(r"\s+", " ", um2.group("u").lower())] not in ("percent",):
                    um = um2
            else:  # "several tons", "a few hundred hectares"
                um2 = _UNIT_AFTER.match(text, end)
                if um2 and len(um2.group("u")) >= 3:
                    um = um2
        else:
            um = _UNIT_ATTACHED.match(text, end) if text[end:end + 1] not in (" ", "\u00a0") else None
            if um is None:
                um = _UNIT_AFTER.match(text, end)
            if um is None:
                iso = _ISO_AFTER.match(text, end)
                if iso and iso.group("u") in L.ISO_CURRENCIES:
                    unit, end, weak = iso.group("u"), iso.end(), False
        if um:
            key = re.sub(r"[\s\u00a0]+", " ", um.group("u").lower())
            canon = L.UNITS.get(key) or L.ATTACHED_UNITS.get(key)
            if canon == "lb" and key == "pounds of":
                # keep "of" out of the surface
                end = um.start("u") + len("pounds")
                unit = "lb"
            elif canon:
                if key == "t" and not re.match(r"\d", text[end - 1:end]):
                    canon = None
                if key in ("m", "mi", "ft", "l") and text[end:end + 1] in (" ", "\u00a0") and key != "ft":
                    canon = None  # a lone "m" after a space is too ambiguous
                if re.match(r"-\d", text[um.end():um.end() + 2]):
                    canon = None  # "14 T-72 tanks", "two Mi-8": a model name, not a unit
                if canon:
                    unit = canon
                    end = um.end()
                    weak = False  # "a million per cent", "one hectare": a unit makes it a figure
        if unit == "count" and kind in ("digits", "number"):
            # "up to 40C", "104F"; "48 C" / "119 F" next to a word of temperature
            tm = _TEMP_LETTER.match(text, end)
            if tm and (not tm.group("sp") or _TEMP_CUE.search(text, max(0, start - 120), min(len(text), end + 80))):
                unit, end, weak = "°" + tm.group("u").lower(), tm.end(), False
    elif unit != "count" and kind != "fraction":
        # currency prefix: a trailing ISO word would double it ("$5 million dollars") - absorb
        um = _UNIT_AFTER.match(text, end)
        if um and L.UNITS.get(re.sub(r"\s+", " ", um.group("u").lower())) == unit:
            end = um.end()

    # qualifier before the figure (not for currency-prefixed text already moved)
    if qualifier != "vague":
        window = text[max(0, start - 40):start]
        best: Optional[tuple[int, str]] = None
        for qname, rx in _QUAL_BEFORE.items():
            qm = rx.search(window)
            if qm and (best is None or qm.start("q") < best[0]):
                best = (qm.start("q"), qname)  # longest phrase wins: "no more than" > "more than"
        if best and best[1] == "over" and window[best[0]:].lower().startswith("over") \
                and _PARTICLE_OVER.search(window[:best[0]]):
            best = None  # "Kiev handed over 233 people"
        if best:
            qualifier = best[1]
            start = max(0, start - 40) + best[0]
            weak = False
    # "minus 5 degrees": below zero
    if value is not None and kind in ("digits", "number") and _MINUS_BEFORE.search(text[max(0, start - 8):start]):
        mm = _MINUS_BEFORE.search(text[max(0, start - 8):start])
        start = max(0, start - 8) + mm.start()
        value = -value
    # "a magnitude 7.2 earthquake": the unit written first
    if unit == "count" and kind in ("digits", "number"):
        mg = _MAGNITUDE_BEFORE.search(text[max(0, start - 12):start])
        if mg:
            unit = "magnitude"
            start = max(0, start - 12) + mg.start()
    # trailing "+" ("5,000+ people") means over
    if qualifier == "exact" and text[end:end + 1] == "+" and kind == "digits":
        qualifier = "over"
        end += 1
    # "one-third" etc. keep qualifier; vague stays vague
    if value is None and qualifier != "vague":
        return None
    return Quantity(start=start, end=end, value=value, high=None, qualifier=qualifier, unit=unit,
                    num_start=num_start, num_end=num_end, weak=weak)


_PHONE = re.compile(r"(?<![\w,.])\+\d{1,3}[ .-]?\(0\)[ .-]?\d[\d .-]{4,}\d(?![\w,])"  # "+44 (0)1848 331100"
                    r"|(?<![\w,.])(?:\+\d{1,3}[ .-]?(?:\(0\)[ .-]?)?)?(?:\(?\d{2,5}\)?[ .-]){2,}\d{2,5}(?![\w,])"
                    r"|(?<![\w,.])\+\d[\d .-]{6,}\d|(?<![\w,.])0\d{2,}(?![\w,.])")
_BETWEEN = re.compile(r"(?:between|from)[\s\u00a0]+$", re.IGNORECASE)
_CURRENCY_AT = re.compile(
    "(?P<c>" + "|".join(re.escape(c) for c in sorted(L.CURRENCY_PREFIX, key=len, reverse=True))
    + r")[\s\u00a0]?", re.IGNORECASE)
_ISO_AT = re.compile(r"(?P<c>[A-Z]{3})[\s\u00a0]?")
_SCALE_LAST = re.compile(r"(?:thousand|million|billion|trillion)$", re.IGNORECASE)
_SCALE_WORD = re.compile(r"(?:hundred|thousand|million|billion|trillion|\d(?:bn|mln|mn|tn|m|b|k))(?![\w])",
                         re.IGNORECASE)
_RANGE_NEXT = re.compile(rf"[\s\u00a0]+(?:and|to)[\s\u00a0]+(?:{_NUMWORD}|\d)", re.IGNORECASE)


def _extend_range(text: str, q: Quantity) -> Quantity:
    if q.value is None or q.qualifier not in ("exact", "approx"):
        return q
    after = text[q.end:q.end + 40]
    mid = _RANGE_MID.match(after)
    if not mid:
        return q
    joiner = mid.group(0).strip().lower()
    between = _BETWEEN.search(text[max(0, q.start - 12):q.start])
    if joiner in ("and",) and not between:
        return q
    if joiner == "or":
        return q
    if joiner in ("-", "–", "—") and (mid.group(0) != joiner or not re.match(r"\d", text[q.end - 1:q.end])):
        if not re.match(r"\d", text[q.end - 1:q.end]):
            return q
    second_start = q.end + mid.end()
    money = q.unit not in ("count", "percent", "fraction") and q.start < q.num_start
    if money:  # "$6 - $8 billion", "between $6 billion and $8 billion": the same currency again
        cur = _CURRENCY_AT.match(text, second_start)
        iso = _ISO_AT.match(text, second_start)
        if cur and L.CURRENCY_PREFIX.get(cur.group("c").lower()) == q.unit:
            second_start = cur.end()
        elif iso and iso.group("c") == q.unit:
            second_start = iso.end()
    nxt = _CORE.match(text, second_start)
    if not nxt or nxt.lastgroup not in ("digits", "words"):
        return q
    core = _core_value(nxt, text)
    if core is None:
        return q
    n_end, n_val, n_kind, _ = core
    mult = 1.0
    if n_kind == "digits":
        scale = _SCALE_AFTER.match(text, n_end)
        if scale and scale.group("scale").lower() in L.SCALES:
            mult = float(L.SCALES[scale.group("scale").lower()])
            n_end = scale.end()
        elif scale and not scale.group("sp") and scale.group("scale").lower() in ("bn", "mln", "mn", "tn"):
            mult = L.SCALE_ABBREV[scale.group("scale").lower()]
            n_end = scale.end()
        v = _parse_digits(nxt.group(0), mult != 1.0)
        if v is None:
            return q
        n_val = v * mult
        if re.fullmatch(r"\d{4}", nxt.group(0)) and 1800 <= v <= 2100 and 1800 <= (q.value or 0) <= 2100:
            return q
    else:
        sw = _SCALE_LAST.search(text, second_start, n_end)
        if sw:
            mult = float(L.SCALES[sw.group(0).lower()])
    low = q.value
    # "between 6 and 8 million", "$6-8 billion": the scale of the second number is the first's too,
    # when the first has none of its own and the scaled first is still the lower end
    if mult > 1 and low is not None and n_val is not None and not _SCALE_WORD.search(
            text, q.num_start, q.num_end) and low * mult < n_val:
        low = low * mult
    if n_val is None or not math.isfinite(n_val) or n_val <= (low or 0):
        return q
    if _TIME_AFTER.match(text[n_end:n_end + 20]) or _MONTH_AFTER.match(text[n_end:n_end + 20]):
        return None  # type: ignore[return-value]  # "5-7 days": a duration, caller drops
    unit = q.unit
    end = n_end
    um = _UNIT_AFTER.match(text, end)
    if um and unit == "count":
        canon = L.UNITS.get(re.sub(r"\s+", " ", um.group("u").lower()))
        if canon:
            unit, end = canon, um.end()
    elif unit == "count" and text[end:end + 1] == "%":
        unit, end = "percent", end + 1
    elif unit != "count" and unit != "fraction":
        um2 = _UNIT_AFTER.match(text, end)
        if um2 and L.UNITS.get(re.sub(r"\s+", " ", um2.group("u").lower())) == unit:
            end = um2.end()
    start = q.start
    if between:
        start = max(0, q.start - 12) + between.start()
    return replace(q, start=start, end=end, value=low, high=n_val, qualifier="range", unit=unit,
                   num_end=n_end, weak=False)


def _link_conversions(text: str, qs: list[Optional[Quantity]]) -> list[Quantity]:
    """'24 hectares (2.6 square feet)': the bracketed figure converts the one before it."""
    out: list[Quantity] = [q for q in qs if q is not None]
    for i in range(1, len(out)):
        prev, cur = out[i - 1], out[i]
        gap = text[prev.end:cur.start]
        if re.fullmatch(r"[\s\u00a0]*\([\s\u00a0]*(?:or|about|approximately|roughly|some|nearly|around)?"
                        r"[\s\u00a0]*", gap, re.I) \
                and prev.unit not in ("count",) and cur.unit not in ("count", "fraction"):
            q = cur.qualifier if cur.qualifier != "exact" else prev.qualifier
            out[i] = replace(cur, conversion_of=prev.start, qualifier=q)
    return out
