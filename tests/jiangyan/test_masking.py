import pytest
from django.template import Context, Template

from jiangyan.masking import mask_address, mask_name, mask_phone


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("13812345678", "138****5678"),
        ("138-1234-5678", "138****5678"),
        ("0523-8868123", "052****8123"),
        ("8868123", "*****23"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone_hides_the_middle_digits(raw, masked):
    assert mask_phone(raw) == masked


@pytest.mark.parametrize(("raw", "masked"), [("张三", "张*"), ("欧阳娜娜", "欧***"), ("王", "*"), ("", "")])
def test_mask_name_keeps_only_the_surname_character(raw, masked):
    assert mask_name(raw) == masked


def test_mask_address_keeps_town_and_community_but_hides_the_door():
    masked = mask_address("罗塘街道天目社区3栋2单元501室")
    assert masked == "罗塘街道天目社区****"
    assert "501" not in masked
    assert mask_address("天目社区5号") == "天目社****"


def test_template_filters_mask_without_loading_a_library():
    html = Template("{{ p|mask_phone }} {{ n|mask_name }} {{ a|mask_address }}").render(
        Context({"p": "13912345678", "n": "李四", "a": "溱潼镇湖南村12组34号"})
    )
    assert html == "139****5678 李* 溱潼镇湖南村****"
