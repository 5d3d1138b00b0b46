"""Article search: PostgreSQL full text (with a simple fallback on SQLite).

On PostgreSQL each article's ``search_vector`` holds its title (weight A), tags (C) and body (B)
in the ``german`` or ``english`` configuration, by the article's language. A query is matched with
the same configuration as each article, so German stemming applies to German articles
("Passwörter" finds "Passwort") and English to English ones.

Queries are what customers type, not search syntax: every word (and the synonyms of words and
phrases, see ``Synonym``) is OR-ed, long words and the word being typed as prefixes (as-you-type, and
German compounds: "Drucker" finds "Druckertreiber"), and the rank decides. Quotes, ``-word`` or
``OR`` switch to ``websearch_to_tsquery`` (strict). Typos: a query word that no article contains is
looked up by trigram similarity (pg_trgm) in a dictionary of the articles' words (``SearchWord``),
and the nearest words join the query ("pasword" → "password"). Snippets come from ``ts_headline``,
escaped, then highlighted.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db import connection, transaction
from django.db.models import Case, F, FloatField, IntegerField, Q, QuerySet, Subquery, TextField, Value, When
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import Article, Synonym
from .stopwords import STOPWORDS

CONFIGS = {"de": "german", "en": "english"}
MAX_TERMS = 24
PREFIX_MIN_LEN = 6
# Three typed letters ("kei") would match nearly every article; from four on the prefix narrows.
TYPING_PREFIX_MIN_LEN = 4
TYPO_MIN_LEN = 5
RANK_CANDIDATES = 300
TYPO_THRESHOLD = 0.4
TYPO_SUGGESTIONS = 2
# A hit scoring below this share of the best hit's score is a weak match (a word the query shares
# with the article by chance) and is left out: "cannot connect to VPN" lists the VPN articles only.
RELATIVE_CUTOFF = 0.25
SNIPPET_START, SNIPPET_STOP = "\x02", "\x03"
_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
_WEBSEARCH_RE = re.compile(r'"|(^|\s)-\w|\sOR\s')
_MD_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
# Emphasis marks go ("**Finish**." reads "Finish."), block marks (headings, quotes, table cells) part words.
_MD_EMPHASIS_RE = re.compile(r"[*_`]+")
_MD_BLOCK_RE = re.compile(r"[#>|]+")
# A word as a reader sees it: hyphenated and apostrophe words ("e-mail", "VPN-Verbindung") are one.
_WHOLE_WORD_RE = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")


@dataclass
class Hit:
    article: Article
    score: float
    snippet: SafeString


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD_RE.findall(text or "")]


def expand_terms(query: str, *, language: str | None = None) -> list[str]:
    """The query's words plus the expansions of synonyms whose term (word or phrase) occurs in it."""
    tokens = words(query[: settings.HELPDESK_MAX_SEARCH_CHARS])
    if not tokens:
        return []
    haystack = f" {' '.join(tokens)} "
    terms = [t for t in dict.fromkeys(tokens) if _is_topic_word(t)]
    for term, expansion, syn_language in _synonyms():
        if language and syn_language not in ("", language):
            continue
        needle = " ".join(words(term))
        if needle and (f" {needle} " in haystack or (" " not in needle and _plural_of(needle, tokens))):
            terms.extend(w for w in words(expansion) if w not in terms and _is_topic_word(w))
    return terms[:MAX_TERMS]


def _is_topic_word(word: str) -> bool:
    """Stop words ("to", "ein", "cannot") and single characters (the "e" of "e-mail") say nothing
    about the topic; as terms they matched nearly every article."""
    return len(word) > 1 and word not in STOPWORDS


_synonym_cache: dict[str, Any] = {"at": 0.0, "rows": None}
# Other processes see a supervisor's edit of the synonym list within this many seconds;
# this process at once (see clear_synonym_cache, connected to Synonym's save and delete).
SYNONYM_CACHE_SECONDS = 60


def _synonyms() -> list[tuple[str, str, str]]:
    now = time.monotonic()
    if _synonym_cache["rows"] is None or now - _synonym_cache["at"] > SYNONYM_CACHE_SECONDS:
        _synonym_cache["rows"] = list(Synonym.objects.values_list("term", "expansion", "language"))
        _synonym_cache["at"] = now
    return _synonym_cache["rows"]


def clear_synonym_cache(**kwargs: Any) -> None:
    _synonym_cache["rows"] = None


def _plural_of(term: str, tokens: list[str]) -> bool:
    return any(t != term and t.startswith(term) and len(t) - len(term) <= 2 for t in tokens)


def search_vector_refresh(*, article_ids: list[int] | None = None) -> None:
    """Recompute ``search_vector`` for these articles (all when None), and add their words to the
    typo dictionary. PostgreSQL only."""
    if not is_postgres():
        return
    qs = Article.objects.all() if article_ids is None else Article.objects.filter(pk__in=article_ids)
    for lang, config in CONFIGS.items():
        subset = qs.filter(language=lang)
        if article_ids is not None and len(article_ids) <= 50:
            # Few articles (a service call): include their tags, one UPDATE each.
            for article in subset.prefetch_related("tags"):
                tag_text = " ".join(t.name.replace("-", " ") for t in article.tags.all())
                Article.objects.filter(pk=article.pk).update(search_vector=_vector(config, tag_text))
        else:
            subset.update(search_vector=_vector(config, ""))
    where, params = ("", []) if article_ids is None else ("WHERE a.id = ANY(%s)", [list(article_ids)])
    with connection.cursor() as cursor:
        # Words of a changed article stay in the dictionary; a stale word only corrects to nothing.
        cursor.execute(
            "INSERT INTO knowledgebase_searchword (word) "
            "SELECT DISTINCT w.lexeme FROM knowledgebase_article a, "
            "unnest(to_tsvector('simple', a.title || ' ' || a.body)) AS w "
            f"{where} {'AND' if where else 'WHERE'} length(w.lexeme) BETWEEN 4 AND 40 "
            "AND w.lexeme ~ '^[[:alpha:]]+$' ON CONFLICT (word) DO NOTHING",
            params,
        )


def _vector(config: str, tag_text: str) -> Any:
    return (
        SearchVector("title", weight="A", config=config)
        + SearchVector(Value(tag_text), weight="C", config=config)
        + SearchVector("body", weight="B", config=config)
    )


def search(*, qs: QuerySet[Article], query: str, language: str | None = None, limit: int = 10) -> list[Hit]:
    """Articles of ``qs`` (already scoped to what the caller may see) best matching ``query``.

    With ``language`` the search keeps to that language, unless nothing there matches.
    A translation is shown once, in the best-ranked language.
    """
    query = (query or "")[: settings.HELPDESK_MAX_SEARCH_CHARS].strip()
    if not words(query):
        return []
    if language not in CONFIGS:
        language = None
    run = _search_postgres if is_postgres() else _search_fallback
    hits = []
    if language:
        hits = run(qs=qs.filter(language=language), query=query, language=language, keep=True, limit=limit)
    if not hits:
        hits = run(qs=qs, query=query, language=language, keep=False, limit=limit)
    return hits


def _dedupe_translations(rows: list[Any], key: Any) -> list[Any]:
    seen: set[int] = set()
    out = []
    for row in rows:
        article = key(row)
        group = article.translation_of_id or article.pk
        if group in seen:
            continue
        seen.add(group)
        out.append(row)
    return out


def _strong(rows: list[Any], score: Any) -> list[Any]:
    """``rows`` (best first) without those scoring far below the best one."""
    if not rows:
        return rows
    floor = score(rows[0]) * RELATIVE_CUTOFF
    return [row for row in rows if score(row) >= floor]


def _highlight(text: str, spans: list[tuple[int, int]]) -> SafeString:
    """``text`` escaped, each whole word a span touches in ``<mark>`` (never a part of a word)."""
    out, pos = [], 0
    for word in _WHOLE_WORD_RE.finditer(text):
        if any(start < word.end() and stop > word.start() for start, stop in spans):
            out += [escape(text[pos : word.start()]), "<mark>", escape(word.group()), "</mark>"]
            pos = word.end()
    out.append(escape(text[pos:]))
    return mark_safe("".join(out))  # noqa: S308 -- every piece of text escaped; only our own <mark> tags


def _plain(markdown: str) -> str:
    """Article text without Markdown link syntax and markup characters, whitespace collapsed."""
    text = _MD_EMPHASIS_RE.sub("", _MD_LINK_RE.sub(r"\1", markdown or ""))
    return " ".join(_MD_BLOCK_RE.sub(" ", text).split())


# --- PostgreSQL ------------------------------------------------------------------------------------


def _tsquery_text(terms: list[str], typing: str = "", weight: str = "") -> str:
    """OR of the terms; long words, and the word being typed, as prefixes; ``weight`` "A": titles only.

    Terms are runs of letters/digits only (see _WORD_RE), so they cannot carry tsquery syntax.
    """
    return " | ".join(
        f"{t}:*{weight}"
        if len(t) >= PREFIX_MIN_LEN or (t == typing and len(t) >= TYPING_PREFIX_MIN_LEN)
        else f"{t}:{weight}".rstrip(":")
        for t in terms
    )


def _queries(
    query: str, terms: list[str], weight: str = "", language: str | None = None
) -> dict[str, SearchQuery]:
    """One tsquery per language configuration (only ``language``'s when the search keeps to it)."""
    out = {}
    for lang, config in CONFIGS.items():
        if language and lang != language:
            continue
        if _WEBSEARCH_RE.search(query) and not weight:
            sq = SearchQuery(query, search_type="websearch", config=config)
            extra = [t for t in terms if t not in words(query)]
            if extra:
                sq = sq | SearchQuery(_tsquery_text(extra), search_type="raw", config=config)
        else:
            # The last word is still being typed unless the query ends with a space or punctuation.
            typing = words(query)[-1] if query[-1:].isalnum() else ""
            sq = SearchQuery(_tsquery_text(terms, typing, weight), search_type="raw", config=config)
        out[lang] = sq
    return out


def _corrections(tokens: list[str]) -> list[str]:
    """Dictionary words closest to the query words that are not in the dictionary (typos).

    Skips short words, numbers and stop words of either language. One round trip: the session's
    similarity threshold is set (default 0.3 is too loose) and every word is looked up at once
    through the trigram index on the dictionary.
    """
    candidates = [t for t in dict.fromkeys(tokens) if len(t) >= TYPO_MIN_LEN and t.isalpha()][:6]
    if not candidates:
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pg_trgm.similarity_threshold', %s, false)", [str(TYPO_THRESHOLD)])
        cursor.execute(
            "WITH missing AS MATERIALIZED ("
            "  SELECT t.w FROM unnest(%s::text[]) AS t(w)"
            "  WHERE NOT EXISTS (SELECT 1 FROM knowledgebase_searchword x WHERE x.word = t.w)"
            "  AND numnode(plainto_tsquery('german', t.w)) > 0 AND numnode(plainto_tsquery('english', t.w)) > 0"
            ") SELECT c.word FROM missing AS m CROSS JOIN LATERAL ("
            "  SELECT s.word FROM knowledgebase_searchword s WHERE s.word %% m.w"
            "  ORDER BY similarity(s.word, m.w) DESC, s.word LIMIT %s) AS c",
            [candidates, TYPO_SUGGESTIONS],
        )
        return [row[0] for row in cursor.fetchall()]


def _search_postgres(
    *, qs: QuerySet[Article], query: str, language: str | None, keep: bool, limit: int
) -> list[Hit]:
    """``language`` picks the synonyms; ``keep``: ``qs`` holds only that language's articles."""
    terms = expand_terms(query, language=language)
    if not terms:
        return []
    # Search syntax means the caller wants exactly that: no typo guessing then.
    if not _WEBSEARCH_RE.search(query):
        terms += [w for w in _corrections(words(query)) if w not in terms]
    # A search kept to one language gets a single condition, which PostgreSQL answers from the GIN index.
    tsq = _queries(query, terms, language=language if keep else None)
    match = Q()
    for lang, sq in tsq.items():
        match |= Q(language=lang, search_vector=sq)
    rank = Case(
        *[
            When(language=lang, then=SearchRank(F("search_vector"), sq, normalization=1))
            for lang, sq in tsq.items()
        ],
        default=Value(0.0),
        output_field=FloatField(),
    )
    matched = qs.filter(match)
    if not _WEBSEARCH_RE.search(query):
        # Ranking costs per matching row. A query of common words can match thousands of articles:
        # rank only the RANK_CANDIDATES that match in the title first, then the most read.
        title_q = _queries(query, terms, weight="A", language=language if keep else None)
        title_hit = Case(
            *[When(Q(language=lang, search_vector=sq), then=Value(1)) for lang, sq in title_q.items()],
            default=Value(0),
            output_field=IntegerField(),
        )
        candidates = matched.annotate(title_hit=title_hit).order_by("-title_hit", "-view_count", "-id")
        matched = qs.filter(pk__in=Subquery(candidates.values("pk")[:RANK_CANDIDATES]))
    # The planner prices a tsquery match per row far too low, so for queries of common words it
    # scans the table instead of the GIN index (2-3x slower at 10,000 articles). Steer it for this
    # one query; the setting is transaction-local and put back right after.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_seqscan')")
        previous = cursor.fetchone()[0]
        cursor.execute("SELECT set_config('enable_seqscan', 'off', true)")
        ranked = list(
            matched.annotate(score=rank)
            .order_by("-score", "-view_count", "-id")
            .values_list("id", "score", "translation_of_id")[: limit * 3]
        )
        cursor.execute("SELECT set_config('enable_seqscan', %s, true)", [previous])
    ranked = _dedupe_translations(ranked, key=lambda r: Article(pk=r[0], translation_of_id=r[2]))
    ranked = _strong(ranked, score=lambda r: r[1])[:limit]
    if not ranked:
        return []
    headline = Case(
        *[
            When(
                language=lang,
                then=SearchHeadline(
                    "body",
                    sq,
                    config=CONFIGS[lang],
                    start_sel=SNIPPET_START,
                    stop_sel=SNIPPET_STOP,
                    max_words=30,
                    min_words=12,
                    max_fragments=2,
                    fragment_delimiter=" … ",
                ),
            )
            for lang, sq in tsq.items()
        ],
        output_field=TextField(),
    )
    articles = {
        a.pk: a
        for a in Article.objects.filter(pk__in=[r[0] for r in ranked])
        .annotate(headline=headline)
        .defer("search_vector")
    }
    return [
        Hit(article=articles[pk], score=round(float(score), 4), snippet=_snippet(articles[pk].headline))
        for pk, score, _tr in ranked
        if pk in articles
    ]


def _snippet(headline: str) -> SafeString:
    """The headline escaped, the words ts_headline put its sentinels around highlighted."""
    text, spans = "", []
    for n, part in enumerate(re.split(f"[{SNIPPET_START}{SNIPPET_STOP}]", _plain(headline))):
        if n % 2:
            spans.append((len(text), len(text) + len(part)))
        text += part
    return _highlight(text, spans)


# --- SQLite fallback ---------------------------------------------------------------------------------


def _search_fallback(
    *, qs: QuerySet[Article], query: str, language: str | None, keep: bool, limit: int
) -> list[Hit]:
    terms = expand_terms(query, language=language)
    if not terms:
        return []
    # Crude stemming: a word's first letters catch its plural and other endings.
    stems = list(dict.fromkeys(t[: max(4, len(t) - 2)] if len(t) > 5 else t for t in terms))
    patterns = [_stem_pattern(stem) for stem in stems]
    match = Q()
    for stem in stems:
        match |= Q(title__icontains=stem) | Q(body__icontains=stem)
    scored = []
    for article in qs.filter(match).order_by("-view_count", "-id")[:500]:
        score = sum(
            (1.0 if p.search(article.title) else 0.0) + (0.4 if p.search(article.body) else 0.0)
            for p in patterns
        ) / len(stems)
        if score:
            scored.append((score, article))
    scored.sort(key=lambda pair: -pair[0])
    scored = _strong(_dedupe_translations(scored, key=lambda pair: pair[1]), score=lambda pair: pair[0])
    return [
        Hit(article=a, score=round(score, 4), snippet=_fallback_snippet(a.body, patterns))
        for score, a in scored[:limit]
    ]


def _stem_pattern(stem: str) -> re.Pattern[str]:
    """Where a stem matches: at the start of a word ("connect" in "connection", not in "reconnect";
    "to" not in "symptom"); a long one also inside a German compound ("laufwerk" in "Netzlaufwerk")."""
    boundary = "" if len(stem) >= PREFIX_MIN_LEN else r"(?<![^\W_])"
    return re.compile(boundary + re.escape(stem), re.IGNORECASE)


def _fallback_snippet(body: str, patterns: list[re.Pattern[str]]) -> SafeString:
    text = _plain(body)
    found = [m.start() for p in patterns if (m := p.search(text))]
    start = max(0, min(found) - 60) if found else 0
    if start and text[start - 1] != " ":
        # Start the window at a word, not inside one.
        start = min(text.find(" ", start) + 1 or start, min(found))
    window = text[start : start + 200]
    more = start + 200 < len(text)
    if more and " " in window:
        window = window.rsplit(" ", 1)[0]  # ... and end after a word
    spans = [m.span() for p in patterns for m in p.finditer(window)]
    html = _highlight(window, spans)
    return mark_safe(("… " if start else "") + html + (" …" if more else ""))  # noqa: S308
