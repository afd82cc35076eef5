"""Matching a paper's authors to the research group's members (``assets/group/group.yaml``).

The site's script matches by surname alone (last word, lower-cased): it misses accented or differently written
names and mis-matches two people who share a surname. Here a paper name matches a member when the surnames agree
(case/accent-insensitive, compound and hyphenated surnames included) *and* the given names agree: exactly, as an
initial (``C. C. Lovell`` ~ ``Christopher C. Lovell``), or as a known nickname (``Chris`` ~ ``Christopher``).
Contradicting given names never match; two equally good members give an ambiguous result (candidates, no
member) instead of a guess; a paper name with no given name at all is only a low-confidence suggestion.

Each match carries the member's links (with one preferred link, academic before social media) and the image
path normalised as the pipeline does, and :func:`author_info_block` rebuilds the prompt's "Author Information"
mapping from the matches.
"""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from .errors import GroupError
from .latex_text import fold

if TYPE_CHECKING:
    from .paper import Paper

DEFAULT_IMAGE = "/assets/images/user.png"
"""The image the site shows for a member without one."""
GROUP_IMAGE_BASE = "/assets/group/"
"""Relative member images (``images/x.jpg``) live under this site path."""
ROLE_KEYS = ("pi", "coi", "postdoc", "phd", "mphil", "partiii", "summer")
"""The role sections of a member entry, as the group file defines them."""

ACCEPT = 0.7
"""Lowest confidence that counts as a match (below it the member is only offered as a candidate)."""


# ----- members -------------------------------------------------------------------------------------------------

def normalize_image(image: Any) -> str:
    """The image path the site writes: ``images/x.jpg`` -> ``/assets/group/images/x.jpg``, URLs and absolute
    paths unchanged, nothing -> ``/assets/images/user.png``."""
    if not image or not isinstance(image, str) or not image.strip():
        return DEFAULT_IMAGE
    image = image.strip()
    if re.match(r"^(?:[a-z][a-z0-9+.\-]*:)?//", image, re.I) or image.startswith("/"):
        return image
    return GROUP_IMAGE_BASE + image


# Link ranking, best first. A blog post should point readers at a person's academic record or work, not at a
# social-media profile: identifiers (ORCID, ADS, Scholar, INSPIRE, arXiv author pages) first, then institutional
# and personal web pages, then GitHub (code is academic output), then other academic networks, then anything
# unknown, and social media last.
_LINK_RANKS: list[tuple[int, str, tuple[str, ...], tuple[str, ...]]] = [
    # rank, kind, URL fragments, label words
    (0, "orcid", ("orcid.org",), ("orcid",)),
    (1, "ads", ("adsabs.harvard.edu", "ui.adsabs"), ("ads",)),
    (2, "scholar", ("scholar.google",), ("scholar",)),
    (3, "inspire", ("inspirehep.net",), ("inspire",)),
    (4, "arxiv", ("arxiv.org/a/",), ("arxiv",)),
    (5, "department", (), ("department", "group", "institute", "university", "profile", "directory", "staff")),
    (6, "webpage", (), ("webpage", "website", "homepage", "home page", "personal", "web")),
    (7, "github", ("github.com", "gitlab.com"), ("github", "gitlab")),
    (8, "academic", ("researchgate.net", "publons.com", "semanticscholar.org", "webofscience.com"),
     ("researchgate", "publons", "thesis", "supervisor", "project")),
    (20, "social", ("twitter.com", "x.com", "linkedin.com", "bsky.app", "mastodon", "facebook.com", "instagram.com",
                    "youtube.com", "threads.net", "tiktok.com"),
     ("twitter", "linkedin", "bluesky", "mastodon", "facebook", "instagram", "youtube", "threads", "tiktok")),
]
_UNKNOWN_RANK = 9


@lru_cache(maxsize=4096)
def link_rank(label: str, url: str) -> tuple[int, str]:
    """``(rank, kind)`` of a member link: lower is preferred; social media ranks last. (Memoised: the checker asks
    for every link of every post, and a site's members have the same links in every post.)"""
    low_url = str(url).lower()
    host = re.sub(r"^[a-z]+://", "", low_url).split("/", 1)[0]
    for rank, kind, fragments, _ in _LINK_RANKS:
        for fragment in fragments:
            if "/" in fragment and fragment in low_url:
                return rank, kind
            if "/" not in fragment and (host == fragment or host.endswith("." + fragment) or
                                        (fragment == "mastodon" and "mastodon" in host)):
                return rank, kind
    words = fold(str(label))
    for rank, kind, _, labels in _LINK_RANKS if words else ():  # (no label word is in an empty label)
        if any(re.search(rf"\b{re.escape(w)}\b", words) for w in labels):
            return rank, kind
    if re.search(r"\.(?:edu|ac\.[a-z]{2}|edu\.[a-z]{2})$", host):
        return 5, "department"  # an unlabelled university page is still an institutional page
    return _UNKNOWN_RANK, "other"


def is_social(url: str) -> bool:
    """True for a social-media profile (the prompt asks for academic or GitHub links before these)."""
    return link_rank("", url)[1] == "social"


def preferred_link(links: Mapping[str, str] | Iterable[str]) -> tuple[str, str] | None:
    """``(label, url)`` of the link to put on a person's name: the best http(s) link by :func:`link_rank` from a
    label->URL mapping or a list of URLs (first wins ties), or None.

    The one ranking of member links: the Authors pane, the offline writer and the checker (PT042) all use it, so
    they can never disagree on which link a member gets."""
    items = list(links.items()) if isinstance(links, Mapping) else [("", u) for u in links or ()]
    items = [(str(label), str(url).strip()) for label, url in items
             if isinstance(url, str) and url.strip().startswith(("http://", "https://"))]
    if not items:
        return None
    return min(items, key=lambda item: link_rank(*item)[0])


def preferred_url(links: Mapping[str, str] | Iterable[str]) -> str | None:
    """The URL of :func:`preferred_link`, or None."""
    best = preferred_link(links)
    return best[1] if best else None


@dataclass
class Member:
    """One entry of the group members file."""

    name: str
    roles: dict[str, Any] = field(default_factory=dict)
    """Role name (``phd``, ``postdoc``, ...) -> its details (start, end, thesis, supervisors)."""
    image: str = DEFAULT_IMAGE
    """Normalised image path or URL, as the site writes it."""
    links: dict[str, str] = field(default_factory=dict)
    """Label -> URL, in file order."""
    entry: dict = field(default_factory=dict)
    """The member's entry exactly as in the file (for the prompt's Author Information block)."""

    @property
    def preferred_link(self) -> tuple[str, str] | None:
        """``(label, url)`` of the best link to cite the person by (see :func:`preferred_link`), or None."""
        return preferred_link(self.links)

    @property
    def markdown_link(self) -> str:
        link = self.preferred_link
        return f"[{self.name}]({link[1]})" if link else self.name

    def site_entry(self) -> dict:
        """The entry as the site prints it in the prompt: file order kept, ``image`` normalised (in place, or
        appended when the member has none)."""
        out = dict(self.entry)
        out["image"] = self.image
        return out


def _member(name: str, entry: Any, source: str) -> Member:
    if entry is None:
        entry = {}
    if not isinstance(entry, dict):
        raise GroupError(f"member {name!r} must be a mapping of roles, image and links, not {type(entry).__name__}",
                         path=source, hint="see assets/group/group.yaml of the site for the format")
    links = entry.get("links") or {}
    if not isinstance(links, dict):
        raise GroupError(f"member {name!r}: 'links' must be a mapping of label -> URL", path=source,
                         hint="write links as a mapping of label to URL, e.g.  links: {Webpage: https://...}")
    image = entry.get("image")
    if image is not None and not isinstance(image, str):
        raise GroupError(f"member {name!r}: 'image' must be a path or URL string", path=source)
    roles = {key: value for key, value in entry.items() if key in ROLE_KEYS}
    return Member(
        name=name,
        roles=roles,
        image=normalize_image(image),
        links={str(k): str(v) for k, v in links.items() if v},
        entry=dict(entry),
    )


def members_from_mapping(data: Any, source: str | Path = "<group>") -> dict[str, Member]:
    """Members from an already-loaded group file mapping (name -> entry)."""
    source = str(source)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise GroupError(f"must be a mapping of member name -> entry, found {type(data).__name__}", path=source,
                         hint="the first level of the file is the members' names, e.g.  Will Handley:")
    members = {}
    for name, entry in data.items():
        if not isinstance(name, str) or not name.strip():
            raise GroupError(f"member name {name!r} is not a name", path=source,
                             hint="member names are the top-level keys, written as text")
        members[name] = _member(name, entry, source)
    return members


def load_members(path: str | Path) -> dict[str, Member]:
    """Read a group members file (``assets/group/group.yaml`` format)."""
    from .yamlio import read_yaml

    return members_from_mapping(read_yaml(path, error=GroupError), path)


# ----- names ---------------------------------------------------------------------------------------------------

_NICKNAME_GROUPS = [
    "christopher chris kit", "christian chris", "christine chris chrissie", "christina chris tina",
    "william will bill billy liam", "thomas tom tommy", "michael mike mick micky", "daniel dan danny",
    "danielle dani", "alexander alex alec sandy", "alexandra alex sandra", "alexis alex", "samuel sam sammy",
    "samantha sam", "edward ed eddie ted ned", "edmund ed", "benjamin ben benji", "nicholas nick nicky nico",
    "nicola nicky", "james jim jimmy jamie", "robert rob bob bobby robbie bert", "matthew matt matty",
    "matthias matt", "david dave davy", "stephen steve stevie", "steven steve stevie", "andrew andy drew",
    "andreas andy", "anthony tony", "antonio tony", "katherine kate kathy katie kat", "catherine cate cathy kate katie",
    "kathryn kate katie", "elizabeth liz lizzie beth eliza betty", "jonathan jon jonny", "john jack johnny",
    "joseph joe joey", "josephine jo josie", "joshua josh", "jennifer jen jenny", "richard rich rick dick",
    "timothy tim", "peter pete", "patrick pat paddy", "patricia pat patty trish", "philip phil", "phillip phil",
    "gregory greg", "jeffrey jeff", "geoffrey geoff jeff", "frederick fred freddie", "henry harry hal",
    "harold harry hal", "lawrence larry laurie", "laurence larry laurie", "leonard leo len", "kenneth ken kenny",
    "charles charlie chuck", "charlotte charlie lottie", "victoria vicky tori", "margaret maggie meg peggy",
    "rebecca becky becca", "susan sue suzy", "suzanne sue suzy", "jessica jess jessie", "abigail abby",
    "eleanor ellie nell", "helen nell", "gabriel gabe", "gabriella gabby", "zachary zach zak", "zakariya zak",
    "nathaniel nate nat", "nathan nate", "benedict ben", "oliver olly ollie", "olivia liv", "isabella bella izzy",
    "maximilian max", "maxwell max", "theodore theo ted", "raymond ray", "ronald ron", "donald don",
    "douglas doug", "francis frank", "franklin frank", "frances fran", "gerald gerry", "jeremy jerry",
    "angela angie", "anastasia stacy", "deborah deb debbie", "dominic dom", "eugene gene", "ignatius iggy",
    "leonardo leo", "lucas luke", "luke luc", "marcus marc", "mathew matt", "mitchell mitch",
    "stanislav stan", "stanley stan", "terence terry", "vincent vince", "walter walt", "wilhelm will",
    "wolfgang wolf", "yevgeny eugene zhenya", "aleksandr sasha alex", "dmitry dima", "mikhail misha",
    "harrison harry", "jacob jake", "josef joe", "kristopher kris", "sebastian seb", "tobias toby",
    "fiona fi", "emily em", "emma em", "jacqueline jackie", "pamela pam", "ruth ruthie", "sarah sally",
    # transliteration variants of the same name
    "artem artyom", "alexey aleksey alexei", "sergey sergei", "yuri yury iurii", "dmitry dmitri dmitrii",
    "andrey andrei", "nikolay nikolai", "mohammed mohammad muhammad mohamed", "yevgeny evgeny evgeni",
]
NICKNAMES: dict[str, frozenset[str]] = {}
for _group in _NICKNAME_GROUPS:
    _names = _group.split()
    for _name in _names:
        NICKNAMES[_name] = NICKNAMES.get(_name, frozenset()) | frozenset(_names)


def _nickname_related(a: str, b: str) -> bool:
    return b in NICKNAMES.get(a, ()) or a in NICKNAMES.get(b, ())


@dataclass(frozen=True)
class _Name:
    """A name split into folded tokens; ``initial`` marks tokens that were written as initials."""

    original: str
    tokens: tuple[str, ...]
    initial: tuple[bool, ...]


def _parse_name(name: str) -> _Name:
    text = " ".join(str(name).replace("~", " ").replace("\u00a0", " ").split())
    if "," in text:  # "Lovell, Christopher C." -> "Christopher C. Lovell"
        family, _, given = text.partition(",")
        if given.strip() and not re.fullmatch(r"\s*(?:jr|sr|ii|iii|iv)\.?\s*", given, re.I):
            text = f"{given.strip()} {family.strip()}"
    text = re.sub(r"\b(?:jr|sr|ii|iii|iv)\.?$", "", text, flags=re.I).strip(" ,")
    tokens: list[str] = []
    initial: list[bool] = []
    for word in text.split():
        folded = fold(word)
        # "L.H." / "H.T.J." / "C." are initials; "C.-P." is too; a plain "C" (no dot) as well
        if re.fullmatch(r"(?:[^\W\d_]\.?-?){1,4}", folded) and (
            "." in folded or len(folded.replace("-", "")) == 1
        ):
            for letter in re.findall(r"[^\W\d_]", folded):
                tokens.append(letter)
                initial.append(True)
            continue
        folded = re.sub(r"[^\w\-']", "", folded).strip("-'")
        if folded:
            tokens.append(folded)
            initial.append(False)
    return _Name(name, tuple(tokens), tuple(initial))


def _given_score(paper_given: list[tuple[str, bool]], member_given: list[tuple[str, bool]]) -> tuple[float, str] | None:
    """How well the given names agree, or None when they contradict."""
    if not paper_given or not member_given:
        return None
    (p, p_init), (m, m_init) = paper_given[0], member_given[0]
    if p_init or m_init:
        if p[0] != m[0]:
            return None
        score, why = 0.75, "initial"
    elif p == m:
        score, why = 0.95, "same first name"
    elif _nickname_related(p, m):
        score, why = 0.85, "nickname"
    elif len(p) >= 3 and len(m) >= 3 and (p.startswith(m) or m.startswith(p)):
        score, why = 0.7, "shortened first name"
    else:
        return None
    # middle names/initials: a contradiction where both are given rules the member out
    for (pm, pi), (mm, mi) in zip(paper_given[1:], member_given[1:]):
        if (pi or mi) and pm[0] != mm[0]:
            return None
        if not pi and not mi and pm != mm and not _nickname_related(pm, mm):
            return None
    return score, why


def _compare(paper: _Name, member: _Name, *, split_hyphens: bool = False) -> tuple[float, str] | None:
    """Score a paper name against a member name (None: not the same person)."""
    p_tokens, m_tokens = paper.tokens, member.tokens
    p_init, m_init = paper.initial, member.initial
    if split_hyphens:
        def split(tokens, inits):
            out_t, out_i = [], []
            for t, i in zip(tokens, inits):
                for part in t.split("-"):
                    if part:
                        out_t.append(part)
                        out_i.append(i)
            return tuple(out_t), tuple(out_i)

        p_tokens, p_init = split(p_tokens, p_init)
        m_tokens, m_init = split(m_tokens, m_init)
    if not p_tokens or not m_tokens:
        return None
    if not split_hyphens and p_tokens == m_tokens and not any(p_init):
        return 1.0, "same name"
    if split_hyphens and p_tokens == m_tokens and not any(p_init):
        return 0.95, "same name, hyphenation differs"
    # surname = the longest common (non-initial) token suffix that leaves a given name on both sides
    limit = 1 if len(p_tokens) == 1 else min(len(p_tokens), len(m_tokens)) - 1
    k = 0
    while (k < limit and p_tokens[-1 - k] == m_tokens[-1 - k]
           and not p_init[-1 - k] and not m_init[-1 - k]):
        k += 1
    if k == 0 or (split_hyphens and k < 2):
        return None
    p_given = list(zip(p_tokens[: len(p_tokens) - k], p_init[: len(p_tokens) - k]))
    m_given = list(zip(m_tokens[: len(m_tokens) - k], m_init[: len(m_tokens) - k]))
    # the paper gives a surname and nothing else: only a suggestion, never a match on its own
    if not p_given:
        return 0.4, "surname only (no given name in the paper)"
    result = _given_score(p_given, m_given)
    if result is None:
        return None
    score, why = result
    if split_hyphens:
        score -= 0.05
        why += ", hyphenation differs"
    return score, f"{why} + surname"


def name_similarity(paper_name: str, member_name: str) -> tuple[float, str] | None:
    """``(confidence, reason)`` that two written names are the same person, or None."""
    p, m = _parse_name(paper_name), _parse_name(member_name)
    return _compare(p, m) or _compare(p, m, split_hyphens=True)


# ----- matches -------------------------------------------------------------------------------------------------

@dataclass
class AuthorMatch:
    """One paper author and the group member they are (or None)."""

    name: str
    """The author's name as the paper writes it."""
    member: Member | None = None
    confidence: float = 0.0
    reason: str = ""
    candidates: list[str] = field(default_factory=list)
    """Member names that could be this author when the match is ambiguous or too weak to accept."""

    @property
    def is_member(self) -> bool:
        return self.member is not None

    @property
    def ambiguous(self) -> bool:
        return self.member is None and len(self.candidates) > 1

    @property
    def links(self) -> dict[str, str]:
        return dict(self.member.links) if self.member else {}

    @property
    def preferred_url(self) -> str | None:
        """The link the post puts on this author's name (see :func:`preferred_link`), or None."""
        return preferred_url(self.links)

    @property
    def image(self) -> str | None:
        return self.member.image if self.member else None

    @property
    def display_name(self) -> str:
        """The name the site uses: the member's name for members, the paper's otherwise."""
        return self.member.name if self.member else self.name

    def _repr_markdown_(self) -> str:
        return AuthorMatchList([self])._repr_markdown_()


class AuthorMatchList(list):
    """A list of :class:`AuthorMatch` that renders as a table in notebooks."""

    @property
    def members(self) -> list[AuthorMatch]:
        return [m for m in self if m.member]

    def _repr_markdown_(self) -> str:
        lines = ["| author | member | confidence | why | link |", "|---|---|---|---|---|"]
        for m in self:
            if m.member:
                member = f"![]({m.member.image}) {m.member.name}" if m.member.image else m.member.name
                link = m.member.preferred_link
                link_md = f"[{link[0]}]({link[1]})" if link else ""
            else:
                member = ("ambiguous: " + " / ".join(m.candidates)) if m.ambiguous else (
                    ("maybe " + m.candidates[0]) if m.candidates else "—")
                link_md = ""
            cells = [m.name, member, f"{m.confidence:.2f}", m.reason, link_md]
            lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
        return "\n".join(lines) + "\n"


def match_author(name: str, members: dict[str, Member] | Iterable[Member]) -> AuthorMatch:
    """Match one written name against the members; ambiguous or weak results name candidates, not a member."""
    pool = list(members.values()) if isinstance(members, dict) else list(members)
    scored: list[tuple[float, str, Member]] = []
    for member in pool:
        result = name_similarity(name, member.name)
        if result:
            scored.append((result[0], result[1], member))
    if not scored:
        return AuthorMatch(name=name, reason="no member with this name")
    scored.sort(key=lambda s: -s[0])
    best_score, best_reason, best = scored[0]
    ties = [s for s in scored if abs(s[0] - best_score) < 1e-9]
    if len(ties) > 1:
        names = [s[2].name for s in ties]
        return AuthorMatch(name=name, confidence=best_score, candidates=names,
                           reason=f"ambiguous: {best_reason} fits {' and '.join(names)}")
    if best_score < ACCEPT:
        return AuthorMatch(name=name, confidence=best_score, candidates=[s[2].name for s in scored],
                           reason=f"not accepted: {best_reason}")
    return AuthorMatch(name=name, member=best, confidence=best_score, reason=best_reason)


def match_authors(names: Iterable[str], members: dict[str, Member]) -> AuthorMatchList:
    return AuthorMatchList(match_author(name, members) for name in names)


def match_paper_authors(paper: "Paper") -> AuthorMatchList:
    """Matches for the paper's authors: from its already-matched author information when it has one (a saved
    prompt or ``authors.yaml``), else by matching its author names against its group members file."""
    names = paper.author_names
    if paper.author_info is not None:
        return _matches_from_info(names, paper.author_info, paper.origin or "author information")
    if paper.members is None:
        return AuthorMatchList(AuthorMatch(name=n, reason="no group members file given") for n in names)
    return match_authors(names, members_from_mapping(paper.members, paper.origin or "group members"))


def _matches_from_info(names: list[str], info: dict, source: str) -> AuthorMatchList:
    """Rebuild matches from an Author Information mapping, whose keys are *member* names for members (the paper
    may write "Christopher C. Lovell" where the key is "Chris Lovell") and author names for the others."""
    if not isinstance(info, dict):
        raise GroupError("author information must be a mapping of name -> member entry", path=source,
                         hint="write authors.yaml as  Name: {...member entry...}  or  Name: {}  for non-members")
    members = {key: _member(str(key), entry, source) for key, entry in info.items() if entry}
    keys = list(info.keys())
    if not names:
        return AuthorMatchList(
            AuthorMatch(name=str(k), member=members.get(k), confidence=1.0 if k in members else 0.0,
                        reason="given in the author information" if k in members else "not a group member")
            for k in keys)
    out = AuthorMatchList()
    positional = len(keys) == len(names)
    for index, name in enumerate(names):
        key = None
        if name in info:
            key = name
        elif positional and (not info[keys[index]] or name_similarity(name, str(keys[index]))):
            key = keys[index]
        else:
            match = match_author(name, members)
            key = match.member.name if match.member else None
        if key is not None and key in members:
            out.append(AuthorMatch(name=name, member=members[key], confidence=1.0,
                                   reason="given in the author information"))
        elif positional and keys[index] in members:
            # the block lists a member at this author's place whose name disagrees (the site's surname-only
            # matcher made such mistakes): do not trust it, but say so
            out.append(AuthorMatch(name=name, candidates=[str(keys[index])],
                                   reason=f"the author information lists {keys[index]} here, but the names disagree"))
        else:
            out.append(AuthorMatch(name=name, reason="not a group member (author information)"))
    return out


def author_info_block(matches: Iterable[AuthorMatch]) -> dict:
    """The prompt's Author Information mapping, in author order: member name -> member entry (file order, image
    normalised), other authors -> ``{}``."""
    block: dict = {}
    for match in matches:
        if match.member is not None:
            block.setdefault(match.member.name, match.member.site_entry())
        else:
            block.setdefault(match.name, {})
    return block
