"""The shared generator on CUDA (bf16) when asked for a GPU; skips cleanly without one."""

from __future__ import annotations

import pytest
import torch

from songsage.config.eval import GeneratorConfig
from songsage.models.generator import HFGenerator

MESSAGES = [[{"role": "user", "content": "Write one line about rain."}]]


def test_cpu_when_no_gpu_requested(tiny_model_cfg):
    gen = HFGenerator(tiny_model_cfg, GeneratorConfig(max_new_tokens=3, num_gpus=0))
    assert gen.device == "cpu" and len(gen.generate(MESSAGES)) == 1


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_bf16_generation(tiny_model_cfg):
    gen = HFGenerator(tiny_model_cfg, GeneratorConfig(max_new_tokens=3, num_gpus=1))
    assert gen.device == "cuda" and next(gen.model.parameters()).dtype == torch.bfloat16
    assert len(gen.generate(MESSAGES * 2)) == 2
