"""The offline writer: a deterministic backend that needs no network and writes a real post from the paper.

It is the default when no API key is set, so ``posttui generate`` works on a fresh machine. What it writes:

* the exact output template (front matter, header image, markers, footer naming this writer as the content
  generator) around a narrative of
* an opening paragraph whose first sentence carries the featured link ``[ID](https://arxiv.org/abs/ID)`` and
  names the lead author (linked when a group member with a link), then the abstract as plain Unicode text;
* a background section from the first paragraphs of the introduction;
* a "Key results" list from the conclusions (their list items, else their first sentences);
* a context paragraph weaving in the most-cited references that have a DOI or arXiv id, each as the link the
  site's rules ask for; the group members among the authors, linked with their preferred link.

Every LaTeX fragment goes through pylatexenc (:mod:`posttui.latex_text`) after citations, labels, references,
floats and display math are removed, so no LaTeX reaches the post. The text is streamed in small chunks like a
model's answer. Repair requests get the full post again (it is correct by construction); section requests get
the matching section of the writer's own post; the image-prompt request gets a deterministic, text-free prompt.
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..authors import preferred_url
from ..latex_text import latex_to_text
from .base import DraftStream, StreamOutcome, Turn, Usage
from ..postformat import find_section
from .conversation import requested_section
from .errors import LLMConfigError

if TYPE_CHECKING:
    from ..config import Config
    from ..paper import Paper

OFFLINE_MODEL = "posttui-offline"
MIN_REFERENCES = 3
MAX_REFERENCES = 5
BACKGROUND_WORDS = 170
TARGET_WORDS = 380
"""Aim for a narrative of about this length: the background grows when the other parts are short."""
RESULT_WORDS = 60
MAX_RESULTS = 6

_DROP_ENVS = (
    "figure", "table", "tabular", "tabularx", "longtable", "wrapfigure", "algorithm", "algorithmic", "lstlisting",
    "verbatim", "minted", "tikzpicture", "subfigure", "deluxetable", "center", "minipage", "thebibliography",
)
"""Blocks beside the text (floats, listings): removed without a trace."""
_MATH_ENVS = ("equation", "align", "alignat", "eqnarray", "multline", "gather", "flalign", "displaymath", "math",
              "split", "subequations")
"""Display math: part of a sentence, so the sentence around it is dropped (a post's text has no equations)."""
_ENV_RE = re.compile(
    r"\\begin\s*\{(" + "|".join(_DROP_ENVS) + r")(\*?)\}.*?\\end\s*\{\1\2\}", re.S
)
_MATH_ENV_RE = re.compile(
    r"\\begin\s*\{(" + "|".join(_MATH_ENVS) + r")(\*?)\}.*?\\end\s*\{\1\2\}", re.S
)
_DISPLAY_RE = re.compile(r"\\\[.*?\\\]|\$\$.*?\$\$", re.S)
_CITE_RE = re.compile(
    r"\\(?P<cmd>[cC]ite[a-zA-Z]*|[pP]arencite|[tT]extcite|[aA]utocite|footcite|nocite)\*?"
    r"(?P<opts>(?:\s*\[[^\[\]]*\]){0,2})\s*\{(?P<keys>[^{}]*)\}"
)
_REF_PHRASE_RE = re.compile(
    r"(?:\(\s*)?(?:see\s+)?(?:Figures?|Figs?\.|Tables?|Tabs?\.|Sections?|Secs?\.|Sects?\.|Equations?|Eqs?\.|"
    r"Appendix|Appendices|App\.|Chapter|Algorithm)\s*~?\s*\\(?:eq|auto|c|C|name)?ref\s*\{[^{}]*\}(?:\s*\))?",
    re.I,
)
_REF_RE = re.compile(r"\\(?:eq|auto|c|C|name|page)?ref\s*\{[^{}]*\}|\\label\s*\{[^{}]*\}")
_DROP_MACROS_WITH_ARG = ("footnote", "footnotetext", "thanks", "affil", "affiliation", "email", "url", "href",
                         "vspace", "hspace", "includegraphics", "input", "caption", "acknowledgments")
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\u201c\"(])")
_ABBREVIATIONS = ("e.g.", "i.e.", "et al.", "Fig.", "Figs.", "Eq.", "Eqs.", "Sec.", "approx.", "vs.", "cf.", "resp.")


# ----- LaTeX to post text -----------------------------------------------------------------------------------------
def _drop_macro_args(text: str, names: Sequence[str]) -> str:
    """Remove ``\\name[opt]{...}`` with balanced braces (footnotes may nest)."""
    pattern = re.compile(r"\\(?:" + "|".join(names) + r")\*?(?![A-Za-z@])\s*(?:\[[^\]]*\])?\s*\{")
    out = []
    pos = 0
    while True:
        m = pattern.search(text, pos)
        if not m:
            out.append(text[pos:])
            return "".join(out)
        out.append(text[pos : m.start()])
        depth, i = 1, m.end()
        while i < len(text) and depth:
            c = text[i]
            if c == "\\":
                i += 2
                continue
            depth += {"{": 1, "}": -1}.get(c, 0)
            i += 1
        pos = i


def _escape_markdown(text: str) -> str:
    """Keep converted text from being read as Markdown structure or math."""
    text = text.replace("\\", "")
    text = text.replace("``", "\u201c").replace("''", "\u201d").replace("`", "\u2018")
    text = text.replace("$", "\uff04")  # a stray dollar would open MathJax math
    text = re.sub(r"([*_\[\]])", r"\\\1", text)
    text = re.sub(r"<(?=[A-Za-z/!?])", "&lt;", text)  # never the start of an HTML tag
    text = text.replace("~", "\u223c")
    text = re.sub(r"^(\s*)(#+|[-+] |\d+[.)] )", lambda m: m.group(1) + m.group(2).replace("#", "\\#"), text)
    return text


def _tidy(text: str) -> str:
    text = re.sub(r"\(\s*[,;]?\s*\)|\[\s*\]", "", text)
    text = re.sub(r"\(\s*[,;]\s*", "(", text)
    text = re.sub(r"\s+([,.;:!?)])", r"\1", text)
    text = re.sub(r"([(])\s+", r"\1", text)
    text = re.sub(r",\s*,", ",", text)
    text = re.sub(r"\s{2,}", " ", text)
    text = re.sub(r"(?<!\.)\.\.(?!\.)", ".", text)  # "et al." closing a sentence, "\ldots."
    return text.strip()


_REF_MARK = "QQREFQQ"
_PAREN_REF_RE = re.compile(r"\((?:[^()]|\([^()]*\))*?\\(?:eq|auto|c|C|name|page)?ref\s*\{[^{}]*\}(?:[^()]|\([^()]*\))*?\)")


def _prepare(latex: str, cite_text=None) -> str:
    """LaTeX with what a post must not show taken out: comments, floats, display math, footnotes, citations
    (textual ones become the cited authors' names), parenthetical cross-references; the other
    cross-references leave a mark so their sentence can be dropped."""
    text = re.sub(r"(?<!\\)%[^\n]*", "", latex)
    text = _ENV_RE.sub(" ", text)
    text = _MATH_ENV_RE.sub(" " + _REF_MARK + " ", text)
    text = _DISPLAY_RE.sub(" " + _REF_MARK + " ", text)
    text = _drop_macro_args(text, _DROP_MACROS_WITH_ARG)
    text = _CITE_RE.sub(lambda m: " " + (cite_text(m) if cite_text else "") + " ", text)
    text = _PAREN_REF_RE.sub(" ", text)
    text = _REF_PHRASE_RE.sub(" " + _REF_MARK + " ", text)
    text = re.sub(r"\\label\s*\{[^{}]*\}", " ", text)
    return _REF_RE.sub(" " + _REF_MARK + " ", text)


def _finish(text: str) -> str:
    """Converted text (math still as ``$...$``) to post text: math as Unicode, no sentence that pointed at a
    figure or section, Markdown-safe."""
    text = re.sub(r"(?<!\\)([%&#])", r"\\\1", text)
    text = latex_to_text(text)
    text = re.sub("[\U0001D400-\U0001D7FF]", lambda m: unicodedata.normalize("NFKC", m.group()), text)
    if _REF_MARK in text:
        text = " ".join(x for x in sentences(text) if _REF_MARK not in x)
    return _tidy(_escape_markdown(text))


def plain_text(latex: str, cite_text=None, macros: tuple = ()) -> str:
    """One LaTeX fragment (a paragraph) as plain Unicode post text: no citations, labels, refs or macros."""
    from ..latex import latex_to_text as keep_math_text

    return _finish(keep_math_text(_prepare(latex, cite_text), macros))


def plain_abstract(text: str) -> str:
    """Text that is already Unicode but may hold TeX math (an arXiv abstract): a bare ``%`` is a percent sign."""
    return _finish(text)


def paragraphs_of(latex: str, cite_text=None, macros: tuple = ()) -> list[str]:
    """The paragraphs (split at blank lines) of a LaTeX body as plain text, dropping fragments and headings."""
    latex = _ENV_RE.sub("\n\n", latex)
    out = []
    for block in re.split(r"\n\s*\n|\\par(?![A-Za-z])", latex):
        block = re.sub(r"\\(?:sub)*section\*?\s*\{[^{}]*\}|\\paragraph\*?\s*\{[^{}]*\}", " ", block)
        text = plain_text(block, cite_text, macros)
        if len(text.split()) >= 12 and text[-1:] in ".!?)\u201d" and not text[0].islower():
            out.append(text)
    return out


def list_items_of(latex: str, cite_text=None, macros: tuple = ()) -> list[str]:
    """The items of the lists in a LaTeX section, as post text (citations handled as in paragraphs)."""
    from ..latex import list_items

    return [t for t in (_finish(item) for item in list_items(_prepare(latex, cite_text), macros)) if t]


def sentences(text: str) -> list[str]:
    """Split prose into sentences (good enough for picking the first few; abbreviations kept whole)."""
    protected = text
    for abbr in _ABBREVIATIONS:
        protected = protected.replace(abbr + " ", abbr.replace(".", "\x00") + " ")
    parts = _SENTENCE_RE.split(protected)
    return [p.replace("\x00", ".").strip() for p in parts if p.strip()]


def take_words(text: str, limit: int) -> str:
    """Whole sentences from the start of ``text`` up to about ``limit`` words (at least one sentence)."""
    out: list[str] = []
    count = 0
    for sentence in sentences(text):
        n = len(sentence.split())
        if out and count + n > limit:
            break
        out.append(sentence)
        count += n
    return " ".join(out)


# ----- facts about the paper --------------------------------------------------------------------------------------
def group_members(paper: "Paper") -> list[tuple[str, str]]:
    """``(name as in the paper, preferred link or "")`` for every author matched to a group member."""
    out = []
    try:
        matches = list(paper.authors or [])
    except Exception:  # noqa: BLE001 - a broken group file must not stop the writer; the checker reports it
        matches = []
    for match in matches:
        name = str(getattr(match, "name", "") or "").strip()
        member = getattr(match, "member", None)
        links = getattr(match, "links", None) or {}
        if name and (member or links):
            out.append((name, preferred_url(links) or ""))
    return out


def linked(name: str, url: str) -> str:
    safe = _escape_markdown(name)
    return f"[{safe}]({url})" if url else safe


def ranked_references(paper: "Paper") -> list:
    """References with a DOI or arXiv id (never the featured paper), most-cited first (bibliography order on ties
    or when the TeX is not available)."""
    refs = [r for r in (paper.references or []) if r.has_identifier]
    featured = (paper.arxiv_id or "").lower()
    refs = [r for r in refs if not (r.arxiv and r.arxiv.lower() == featured and not r.doi)]
    counts = {}
    doc = _document(paper)
    if doc is not None:
        counts = dict(doc.citation_counts)
    order = {id(r): i for i, r in enumerate(refs)}
    refs.sort(key=lambda r: (-counts.get(r.key, 0), order[id(r)]))
    seen: set[str] = set()
    unique = []
    for r in refs:
        ident = r.identifier.lower()
        if ident not in seen:
            seen.add(ident)
            unique.append(r)
    return unique


def _document(paper: "Paper"):
    try:
        return paper.document
    except Exception:  # noqa: BLE001 - unreadable TeX: write from the metadata alone
        return None


_FRONT_MATTER_RE = re.compile(
    r"\\(?:title|author|affiliation|affil|address|email|date|keywords|pacs|thanks|collaboration)\*?\s*(?:\[[^\]]*\])?"
    r"\s*\{(?:[^{}]|\{[^{}]*\})*\}|\\maketitle"
)
_BACK_MATTER_RE = re.compile(
    r"\\bibliography\s*\{|\\begin\s*\{thebibliography\}|\\begin\s*\{acknowledg|\\section\*?\s*\{\s*acknowledg|"
    r"\\acknowledg(?:e)?ments\b|\\appendix\b",
    re.I,
)


def _main_text(doc) -> str:
    """The body of a paper without title block, abstract, acknowledgements, bibliography or appendix."""
    body = doc.body
    end = _BACK_MATTER_RE.search(body)
    if end:
        body = body[: end.start()]
    body = re.sub(r"\\begin\s*\{abstract\}.*?\\end\s*\{abstract\}", " ", body, flags=re.S)
    return _FRONT_MATTER_RE.sub(" ", body)


def _as_item(text: str) -> str:
    """A list item as a sentence: capital first letter, a full stop instead of a list's ``;`` or ``, and``."""
    text = re.sub(r"(?:[;,:]|\s+and|\s+or)\s*$", "", text.strip()).strip()
    if text and text[0].islower():
        text = text[0].upper() + text[1:]
    if text and text[-1] not in ".!?\u201d)":
        text += "."
    return text


def _reference_phrase(ref) -> str:
    who = _escape_markdown(ref.short_authors) if ref.short_authors else ""
    year = ref.year.strip()
    link = ref.link
    if who and year:
        return f"{who} ({year}, {link})"
    if who:
        return f"{who} ({link})"
    return f"earlier work ({link})"


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# ----- the post ---------------------------------------------------------------------------------------------------
class OfflineWriter:
    """Writes the post for one paper (deterministically: same paper, same post)."""

    def __init__(self, paper: "Paper", *, config: "Config | None" = None, model: str = OFFLINE_MODEL):
        self.paper = paper
        self.config = config
        self.model = model
        self._refs_by_key = {r.key: r for r in (paper.references or [])}

    # --- pieces
    def _cite_text(self, match: re.Match) -> str:
        """Textual citations keep the cited authors' names; parenthetical ones disappear."""
        cmd = match.group("cmd").lower()
        keys = [k.strip() for k in match.group("keys").split(",") if k.strip()]
        refs = [self._refs_by_key[k] for k in keys if k in self._refs_by_key]
        if cmd in ("citet", "textcite", "citeauthor", "citealt") and refs:
            names = [r.short_authors.replace("&", "and") for r in refs if r.short_authors]
            return _join(names)
        if cmd == "citeyear" and refs:
            return refs[0].year
        return ""

    def title(self) -> str:
        return plain_abstract(self.paper.title) or "this paper"

    def opening(self, exclude: Sequence[str] = ()) -> str:
        paper = self.paper
        members = dict(group_members(paper))
        lead = str(paper.lead_author.get("name", "") or "").strip()
        featured = f"[{paper.arxiv_id}](https://arxiv.org/abs/{paper.arxiv_id})" if paper.arxiv_id else "a new paper"
        n_authors = len(paper.author_names)
        if lead:
            lead_text = linked(lead, members.get(lead, ""))
            others = n_authors - 1
            who = (
                f"{lead_text} presents" if others <= 0
                else f"{lead_text} and a co-author present" if others == 1
                else f"{lead_text} and {others} co-authors present"
            )
        else:
            who = "the authors present"
        first = f"In {featured}, {who} \u201c{self.title()}\u201d."
        if not lead:
            first = first[0].upper() + first[1:]
        abstract = plain_abstract(paper.abstract)
        if not abstract:
            doc = _document(paper)
            abstract = plain_abstract(doc.abstract) if doc is not None and doc.abstract else ""
        if exclude:
            abstract = " ".join(x for x in sentences(abstract) if x not in exclude)
        parts = [first]
        if abstract:
            parts.append(abstract)
        return " ".join(parts)

    def _background_paragraphs(self) -> list[str]:
        """Paragraphs of the introduction (or of the body, for a letter without sections)."""
        doc = _document(self.paper)
        if doc is None:
            return []
        chosen = next((x for x in doc.sections if re.search(r"intro", x.title, re.I) and not x.appendix), None)
        if chosen is None:
            chosen = next((x for x in doc.sections if not x.appendix), None)
        if chosen is not None:
            return paragraphs_of(doc.section_source(chosen), self._cite_text, doc.user_macros)
        return paragraphs_of(_main_text(doc), self._cite_text, doc.user_macros)

    def background(self, budget: int = BACKGROUND_WORDS) -> str:
        out: list[str] = []
        words = 0
        for para in self._background_paragraphs():
            n = len(para.split())
            if out and words + n > budget:
                break
            if not out and n > budget * 1.5:
                para = take_words(para, budget)
                n = len(para.split())
            out.append(para)
            words += n
        return "\n\n".join(out)

    def results(self) -> tuple[list[str], bool]:
        """The key results, and whether they had to be taken from the abstract (no conclusions to use)."""
        doc = _document(self.paper)
        items: list[str] = []
        if doc is not None:
            section = doc.conclusions_section
            if section is not None:
                for text in list_items_of(doc.section_source(section), self._cite_text, doc.user_macros):
                    items.append(take_words(text, RESULT_WORDS))
            source = ""
            if not items and doc.conclusions_section is not None:
                source = doc.section_source(doc.conclusions_section)
            elif not items and not doc.sections:
                paras = paragraphs_of(_main_text(doc), self._cite_text, doc.user_macros)
                source = "\n\n".join(paras[-2:]) if len(paras) > 3 else ""
            if source:
                paras = paragraphs_of(source, self._cite_text, doc.user_macros)
                for sentence in sentences(" ".join(paras)):
                    if len(sentence.split()) >= 8:
                        items.append(sentence)
                    if len(items) >= 4:
                        break
        if items:
            return [_as_item(i) for i in items if i][:MAX_RESULTS], False
        abstract = sentences(plain_abstract(self.paper.abstract))
        return [x for x in abstract[1:] if len(x.split()) >= 8][-3:], True

    def context(self) -> str:
        refs = ranked_references(self.paper)[:MAX_REFERENCES]
        members = [(n, u) for n, u in group_members(self.paper)]
        lead = str(self.paper.lead_author.get("name", "") or "").strip()
        sentences_out = []
        if refs:
            phrases = [_reference_phrase(r) for r in refs]
            sentences_out.append(
                f"The work builds on earlier studies; the ones the paper cites most often are {_join(phrases)}."
            )
        others = [linked(n, u) for n, u in members if n != lead]
        if others:
            noun = "member" if len(others) == 1 else "members"
            sentences_out.append(f"The author list includes group {noun} {_join(others)}.")
        return " ".join(sentences_out)

    def image_prompt(self) -> str:
        topic = re.sub(r"[\d\u00b9\u00b2\u00b3\u2070-\u209f]+", "", self.title()).strip(" :\u2013-")
        topic = re.sub(r"\s{2,}", " ", topic)
        return (
            f"An abstract, visually striking digital artwork evoking the ideas behind \u201c{topic}\u201d. "
            "In the foreground, luminous interwoven threads and softly glowing forms suggest structure emerging "
            "from complexity; in the background, a deep gradient of midnight blue and violet opens into a hazy, "
            "starlit expanse. Cinematic lighting, gentle depth of field, a calm and elegant, minimalist "
            "composition in a wide landscape frame. No text, letters, numbers, symbols, labels or logos anywhere in "
            "the image."
        )

    # --- assembly
    def narrative(self) -> str:
        results, from_abstract = self.results()
        opening = self.opening(exclude=results if from_abstract else ())
        context = self.context()
        used = sum(len(t.split()) for t in (opening, context, *results))
        background = self.background(max(BACKGROUND_WORDS, TARGET_WORDS - used))
        blocks = [opening]
        if background:
            blocks += ["## Background", background]
        if results:
            blocks += ["## Key results", "\n".join(f"- {item}" for item in results)]
        if context:
            blocks += ["## Context", context]
        return "\n\n".join(blocks)

    def post(self) -> str:
        from ..prompt import output_template

        config = self.config
        image_model = config.image_model if config is not None else None
        template = output_template(self.paper, model=self.model, image_model=image_model, config=config)
        return template.fill(self.narrative())

    def section(self, heading: str) -> str | None:
        """The text of one section of this writer's post (``""`` for the opening), or None if it has none."""
        post = self.post()
        found = find_section(post, heading)
        return None if found is None else post[found.start : found.end].strip("\n")


def chunks_of(text: str, size: int = 48) -> list[str]:
    """Split text into pieces of about ``size`` characters at spaces/newlines, like a model's stream."""
    out = []
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            cut = max(text.rfind(" ", start, end), text.rfind("\n", start, end))
            if cut > start:
                end = cut + 1
        out.append(text[start:end])
        start = end
    return out


class OfflineBackend:
    """The offline writer behind the backend protocol (no network, no key, no cost)."""

    name = "offline"

    def __init__(self, paper: "Paper | None", *, config: "Config | None" = None, delay: float = 0.0,
                 chunk_size: int = 48):
        self.paper = paper
        self.config = config
        self.model = OFFLINE_MODEL
        self.delay = delay
        self.chunk_size = chunk_size

    def writer(self) -> OfflineWriter:
        if self.paper is None:
            raise LLMConfigError(
                "the offline writer needs the paper it writes about",
                hint="open a paper first (posttui generate SOURCE)",
            )
        return OfflineWriter(self.paper, config=self.config, model=self.model)

    def answer(self, turns: Sequence[Turn]) -> str:
        """What the writer says to a conversation: a post, one section, or an image prompt."""
        from ..prompt import image_prompt_request

        request = turns[-1].text if turns else ""
        writer = self.writer()
        heading = requested_section(request)
        if heading is not None:
            text = writer.section(heading)
            if text is None:
                raise LLMConfigError(
                    f"the offline writer has no section headed {heading!r} to rewrite",
                    hint="its sections are the opening, Background, Key results and Context; use Gemini for "
                    "other headings",
                )
            return text
        lead = image_prompt_request("", config=self.config).rstrip()
        if lead and request.startswith(lead):
            return writer.image_prompt()
        # A first request and a repair request (is_repair_request) both get the full post: it is the writer's
        # best answer and is correct by construction.
        return writer.post()

    def stream(self, turns: Sequence[Turn], *, system: str | None = None) -> DraftStream:
        turns = list(turns)

        async def produce(out: StreamOutcome):
            from ..prompt import estimate_tokens

            text = self.answer(turns)
            prompt_tokens = sum(estimate_tokens(t.text) for t in turns) + (estimate_tokens(system) if system else 0)
            output_tokens = estimate_tokens(text)
            for piece in chunks_of(text, self.chunk_size):
                await asyncio.sleep(self.delay)
                yield piece
            out.finish_reason = "STOP"
            out.usage = Usage(prompt_tokens, output_tokens, 0, prompt_tokens + output_tokens)

        return DraftStream(produce, backend=self.name, model_name=self.model, prices=None)

    async def count_tokens(self, turns: Sequence[Turn], *, system: str | None = None) -> int | None:
        from ..prompt import estimate_tokens

        return sum(estimate_tokens(t.text) for t in turns) + (estimate_tokens(system) if system else 0)

    async def aclose(self) -> None:
        return None
