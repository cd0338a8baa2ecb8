import pytest
from django.template import Context, Template

from jiangyan.helpers.masking import mask_address, mask_name, mask_phone


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("13812345678", "138****5678"),
        ("138-1234-5678", "138****5678"),
        ("0523-8868123", "0523-****8123"),
        ("010-88681234", "010-****1234"),
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


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("罗塘街道天目社区3栋2单元501室", "罗塘街道天目社区****"),
        ("天目社区5号", "天目社区****"),
        ("河横村24号", "河横村****"),  # issue 10: was 河横村24****
        ("沈高镇河横村24组15号", "沈高镇河横村****"),
        ("河横村村委会旁2号", "河横村****"),
        ("溱潼镇人民路28号", "溱潼镇****"),  # no village or community: the town
        ("人民路28号", "****"),  # neither: nothing
        ("3号楼天目社区", "****"),  # a number before the community is not shown either
        ("", ""),
        (None, ""),
    ],
)
def test_mask_address_cuts_to_the_village_or_community(raw, masked):
    assert mask_address(raw) == masked


def test_template_filters_mask_without_loading_a_library():
    html = Template("{{ p|mask_phone }} {{ n|mask_name }} {{ a|mask_address }}").render(
        Context({"p": "13912345678", "n": "李四", "a": "溱潼镇湖南村12组34号"})
    )
    assert html == "139****5678 李* 溱潼镇湖南村****"
