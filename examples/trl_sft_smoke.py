"""Train a few steps of TRL's SFTTrainer on scenegen's `messages` and `turns` exports, with a tiny random model and
a tokenizer trained here on the data, so nothing is downloaded. Run by hand (not in the tests):

    pip install trl transformers datasets torch
    scenegen generate --n 120 --seed 3 --out data --format messages --format turns
    python examples/trl_sft_smoke.py data

`messages` trains as conversational SFT with the loss on the assistant's messages only; `turns` as
conversational prompt-completion (one row per assistant message).
"""
import json, sys, os
os.environ["HF_HUB_OFFLINE"] = "1"; os.environ["HF_DATASETS_OFFLINE"] = "1"
import datasets, transformers, trl
from tokenizers import Tokenizer, models, trainers, pre_tokenizers
root = sys.argv[1]
texts = [m["content"] for l in open(f"{root}/messages/train.jsonl") for m in json.loads(l)["messages"]]
tk = Tokenizer(models.BPE(unk_token="<unk>")); tk.pre_tokenizer = pre_tokenizers.ByteLevel()
tk.train_from_iterator(texts, trainers.BpeTrainer(vocab_size=800, special_tokens=["<unk>", "<pad>", "<eos>"]))
tok = transformers.PreTrainedTokenizerFast(tokenizer_object=tk, unk_token="<unk>", pad_token="<pad>", eos_token="<eos>")
tok.chat_template = ("{% for m in messages %}<{{ m['role'] }}>{% if m['role'] == 'assistant' %}{% generation %}"
                     "{{ m['content'] }}<eos>{% endgeneration %}{% else %}{{ m['content'] }}<eos>{% endif %}{% endfor %}"
                     "{% if add_generation_prompt %}<assistant>{% endif %}")
cfg = transformers.GPT2Config(vocab_size=len(tok), n_positions=1024, n_embd=32, n_layer=1, n_head=2,
                              pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id)
print("trl", trl.__version__, "transformers", transformers.__version__, "datasets", datasets.__version__)
for fmt in ("messages", "turns"):
    ds = datasets.load_dataset(f"{root}/{fmt}")["train"]
    if fmt == "turns":
        ds = ds.select_columns(["prompt", "completion"])
    model = transformers.GPT2LMHeadModel(cfg)
    args = trl.SFTConfig(output_dir=f"/tmp/trl-out-{fmt}", max_steps=3, per_device_train_batch_size=2,
                         report_to=[], max_length=512, logging_steps=1, save_strategy="no",
                         assistant_only_loss=(fmt == "messages"), use_cpu=True)
    trainer = trl.SFTTrainer(model=model, args=args, train_dataset=ds, processing_class=tok)
    out = trainer.train()
    print(fmt, "rows", ds.num_rows, "steps", out.global_step, "loss", round(out.training_loss, 3))
