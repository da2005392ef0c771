"""How texts are cut: one sentence splitter, for the passages LDA reads and the lines
reasons quote."""

from __future__ import annotations

from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from features.documents import TRANSCRIPT, Document, split_passages, split_sentences
from radar.matching.profiles import evidence_lines

ENDS = "。！？!?；;\n"


@given(st.text(alphabet=st.sampled_from(list("好吗用 a") + list(ENDS)), max_size=40))
def test_sentences_give_the_text_back_each_ending_at_most_once(text: str) -> None:
    sentences = split_sentences(text)
    assert "".join(sentences) == text
    for sentence in sentences:
        assert sentence and not any(mark in sentence[:-1] for mark in ENDS)


def test_passages_and_quoted_lines_end_where_sentences_end() -> None:
    text = "这个能用吗?能用；很好!明天见\n下次再来。"
    assert split_sentences(text) == ["这个能用吗?", "能用；", "很好!", "明天见\n", "下次再来。"]
    assert split_passages(text, max_chars=10) == ["这个能用吗?能用；", "很好!明天见", "下次再来。"]
    talk = [Document(TRANSCRIPT, "t1", text, "h", datetime(2026, 11, 2))]
    assert evidence_lines(talk, []) == ["这个能用吗", "能用", "很好", "明天见", "下次再来"]
