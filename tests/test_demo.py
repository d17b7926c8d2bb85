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
