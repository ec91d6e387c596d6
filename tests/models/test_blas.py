"""OpenBLAS core selection from CPU flags (runs before faiss loads its bundled OpenBLAS)."""

from __future__ import annotations

from songsage.models.blas import coretype_for, cpu_flags, select_openblas_coretype

AVX512 = "fpu sse sse2 avx avx2 fma avx512f avx512dq avx512cd avx512bw avx512vl"


def test_coretype_for_flags():
    assert coretype_for(set(AVX512.split())) == "SkylakeX"
    assert coretype_for({"avx2", "fma", "avx512f"}) == "Haswell"  # partial AVX-512 is not enough
    assert coretype_for({"sse2", "sse4_2"}) == ""


def test_select_respects_user_value_and_sets_from_cpuinfo(tmp_path, monkeypatch):
    info = tmp_path / "cpuinfo"
    info.write_text(f"processor\t: 0\nflags\t\t: {AVX512}\n")
    assert cpu_flags(info) >= {"avx512f", "avx2"} and cpu_flags(tmp_path / "missing") == set()
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Haswell")
    assert select_openblas_coretype(info) == "Haswell"
    monkeypatch.delenv("OPENBLAS_CORETYPE")
    assert select_openblas_coretype(info) == "SkylakeX"
    import os

    assert os.environ["OPENBLAS_CORETYPE"] == "SkylakeX"
