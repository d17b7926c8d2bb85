"""`gongkai demo`: a month of the 高新区 office through the real bot, offline, files written."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document

from bot.cli import main
from tests.test_bulletin import SEED_BASIC


def test_demo_plays_july_and_writes_the_bulletin_and_notices(
    env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"聊天记录：{out / 'transcript.txt'}" in printed
    transcript = (out / "transcript.txt").read_text(encoding="utf-8")
    assert "绑定成功！您已成为接庄街道的联络员。" in transcript
    assert "已报送 #14《济宁高新区接庄街道全方位公开助力精准扶贫政策落地》" in transcript
    assert "已被《政务公开经验做法》采用，计 10 分。" in transcript
    assert "提醒：柳行街道本月（7月）尚未报送政务公开工作信息" in transcript
    assert SEED_BASIC in transcript
    assert "督办单 〔2020〕第1号" in transcript
    bulletin = Document(str(out / "关于1—7月份政务公开信息采用情况的通报.docx"))
    assert SEED_BASIC in [p.text for p in bulletin.paragraphs]
    assert [c.text for c in bulletin.tables[0].rows[1].cells][1:] == [
        "党政办公室",
        "1",
        "1",
        "",
        "",
        "2",
        "2",
        "30",
    ]
    assert (out / "关于1—7月份政务公开信息采用情况的通报附件.xlsx").stat().st_size > 5000
    assert (out / "2020年1—7月得分情况.png").read_bytes()[:4] == b"\x89PNG"
    assert (out / "2020年1—7月报送采用情况.png").read_bytes()[:4] == b"\x89PNG"
    assert (out / "得分排名-2020-01-2020-07.png").read_bytes()[:4] == b"\x89PNG"
    assert (out / "党政办公室-2020年逐月情况.png").read_bytes()[:4] == b"\x89PNG"
    notice = Document(str(out / "督办单〔2020〕第1号-公安分局.docx"))
    assert "公安分局：" in [p.text for p in notice.paragraphs]


def test_city_demo_plays_june_across_two_levels_each_office_in_its_own_chat(
    env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "city"
    assert main(["demo", "--city", "--out", str(out)]) == 0
    capsys.readouterr()
    transcript = (out / "transcript.txt").read_text(encoding="utf-8")
    # A district's forward is a submission to the city, as the district's unit.
    assert "新稿件 #48：济宁高新区《济宁高新区企业开办“零成本”政策全公开》待审核。" in transcript
    # One publication at the city, scored at each level by its own rules: 10 there, 8 below.
    medical = "《任城区医保报销政策“明白卡”进万家》"
    assert f"#50{medical}被《政务公开经验做法》采用，计 10 分" in transcript
    assert f"#47{medical}已被《政务公开经验做法》采用，计 8 分。" in transcript
    village = "《济宁高新区接庄街道“阳光村务”全公开》"
    assert f"#44{village}已被《政务公开看山东》采用，计 20 分。" in transcript
    assert "报送济宁市后，济宁市未予采用。" in transcript
    assert "已记录 T1 的进展（第 1 号）。" in transcript
    assert "提醒：南苑街道本月（6月）尚未报送政务公开工作信息" in transcript
    # Each office's bulletin on its own working day, in its own chat.
    days = transcript.split("\n=== ")
    for chat, day in [("高新区", 5), ("任城区", 6), ("济宁市", 7)]:
        (issued,) = [d for d in days if d.startswith(f"2021年07月{day:02d}日 09:00")]
        assert f"[{chat}政务公开工作群] 🤖 机器人" in issued
        assert issued.count("政务公开工作群]") == issued.count(f"[{chat}政务公开工作群]")
    assert "连续三个月无持续进展的部门单位由市政府督查室予以全市通报。" in transcript
    assert "4. 2021年1—6月下级机关信息报送汇总" in transcript
    title = "关于1—6月份政务公开信息采用情况的通报.docx"
    city = Document(str(out / "济宁市" / title))
    texts = [p.text for p in city.paragraphs]
    assert "四、下级机关信息报送情况" in texts and "附件4" in texts
    rolled = [[cell.text for cell in row.cells] for row in city.tables[-1].rows[1:]]
    assert [row[1] for row in rolled] == ["济宁高新区", "任城区"]
    assert rolled[1][2:5] == ["10", "8", "8"]
    for district in ("济宁高新区", "任城区"):
        below = Document(str(out / district / title))
        assert "附件4" not in [p.text for p in below.paragraphs]
