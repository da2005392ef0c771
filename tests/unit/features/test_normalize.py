import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from features.normalize import ALLOWED_CHARACTERS, NormalizeOptions, _nfkc, normalize_text

ONLY_ALLOWED = re.compile(f"^[{ALLOWED_CHARACTERS}]*$")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＡＢＣ１２３", "abc123"),  # full-width letters and digits
        ("你好，世界！", "你好,世界!"),  # full-width punctuation
        ("你好\u3000世界", "你好 世界"),  # ideographic space
        ("這個顏色好看嗎", "这个颜色好看吗"),  # traditional → simplified
        ("頭髮乾燥", "头发干燥"),
        ("iPhone 保護殼", "iphone 保护壳"),  # Latin lower-case
        ("看这里 https://t.cn/a1B2 好物", "看这里 好物"),  # URL
        ("www.example.com/x 链接", "链接"),
        ("@小美 这个色号", "这个色号"),  # mention
        ("哈哈哈哈哈哈", "哈哈"),  # runs collapsed
        ("啊啊啊啊好看", "啊啊好看"),
        ("！！！！", "!!"),
        ("666666", "666"),  # a chant of one repeated digit
        ("1000毫升", "1000毫升"),  # real numbers are kept
        ("到手价99元", "到手价 价格"),  # prices
        ("只要￥１９．９", "只要 价格"),
        ("9.9块钱包邮", "价格 包邮"),
        ("这一套三百九十九元", "这一套 价格"),  # ASR writes prices in Chinese numerals
        ("一块蛋糕", "一块蛋糕"),  # 块 after a Chinese numeral is a measure word
        ("好看😂👍", "好看"),  # emoji
        ("  多个   空格\n换行\t", "多个 空格 换行"),
        ("", ""),
    ],
)
def test_each_rule(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_options_switch_steps_off() -> None:
    options = NormalizeOptions(
        lowercase=False, traditional_to_simplified=False, collapse_runs=False, replace_prices=False
    )
    assert normalize_text("ABC這個哈哈哈99元", options) == "ABC這個哈哈哈99元"


@settings(max_examples=400)
@given(st.text())
def test_never_raises_and_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


@settings(max_examples=400)
@given(st.text(alphabet=st.characters(codec="utf-8")))
def test_output_only_from_allowed_characters(text: str) -> None:
    assert ONLY_ALLOWED.match(normalize_text(text))


CHINESE_SOCIAL = st.text(
    alphabet=st.sampled_from(
        list("哈啊这個颜色好看吗們家人们上链接！？，。 ＡＢＣabc0123456789元块¥@😂#/.:")
    ),
    max_size=60,
)


@settings(max_examples=500)
@given(CHINESE_SOCIAL)
def test_idempotent_on_dense_chinese_social_text(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert ONLY_ALLOWED.match(once)


WIDE_AND_COMBINING = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("，！？：；（）ＡＢ１。、你好e\u0301\u0301\u3000ﬁ①㈱ｶﾞ가\u1100\u1161")),
        st.characters(),
    ),
    max_size=40,
)


@settings(max_examples=1000)
@given(WIDE_AND_COMBINING)
def test_fast_nfkc_is_nfkc(text: str) -> None:
    assert _nfkc(text) == unicodedata.normalize("NFKC", text)
