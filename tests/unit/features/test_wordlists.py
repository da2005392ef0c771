from features.wordlists import CHANTS, load_stopwords, load_user_dictionary, load_word_list

CATEGORY_WORDS = {"口红", "面霜", "羽绒服", "耳机", "粉底液", "奶粉", "螺蛳粉", "酒店", "手机"}


def test_general_stopwords_hold_function_words() -> None:
    general = load_stopwords(("zh",))
    assert {"的", "了", "是", "我们", "这个", "就是", "the"} <= general


def test_live_filler_holds_host_patter_but_no_category_word() -> None:
    live = load_stopwords(("live",))
    assert {"家人们", "上链接", "直播间", "福利", "秒杀", "到手价"} <= live
    assert not CATEGORY_WORDS & load_stopwords()


def test_entries_are_normalised() -> None:
    for word in load_stopwords() | load_word_list(CHANTS):
        assert word == word.lower().strip()
    assert "哈哈" in load_word_list(CHANTS)


def test_user_dictionary_parses_word_freq_tag() -> None:
    entries = {entry.word: entry for entry in load_user_dictionary()}
    assert len(entries) >= 300
    assert entries["上链接"].freq is not None and entries["上链接"].freq > 0
    assert all(len(word) >= 2 for word in entries)


def test_unknown_stopword_list_is_a_clear_error() -> None:
    import pytest

    with pytest.raises(ValueError, match="unknown stopword list"):
        load_stopwords(("klingon",))
