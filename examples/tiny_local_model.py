"""Build a tiny random Llama (2 layers, 138k parameters) and a byte-level BPE tokenizer (1,000 tokens, ChatML
special tokens and chat template) trained on DATA_DIR/messages/train.jsonl, saved with save_pretrained to OUT_DIR,
for smoke-training LLaMA-Factory or Axolotl offline (examples/llamafactory_axolotl_smoke.md). Nothing is
downloaded. Run it with the trainer's own Python, so the saved config matches its transformers:

    python examples/tiny_local_model.py DATA_DIR OUT_DIR
"""
import json, os, sys
os.environ["HF_HUB_OFFLINE"] = "1"
import transformers
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
data, out = sys.argv[1], sys.argv[2]
texts = [m["content"] for l in open(f"{data}/messages/train.jsonl") for m in json.loads(l)["messages"]]
special = ["<unk>", "<pad>", "<s>", "<|im_start|>", "<|im_end|>"]
tk = Tokenizer(models.BPE(unk_token="<unk>"))
tk.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
tk.decoder = decoders.ByteLevel()
tk.train_from_iterator(texts + ["system\nuser\nassistant\n"], trainers.BpeTrainer(
    vocab_size=1000, special_tokens=special, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
tok = transformers.PreTrainedTokenizerFast(tokenizer_object=tk, unk_token="<unk>", pad_token="<pad>",
                                           bos_token="<s>", eos_token="<|im_end|>")
# ChatML, with {% generation %} marks so assistant-only masks can be taken from the template
tok.chat_template = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n"
                     "{% if m['role'] == 'assistant' %}{% generation %}{{ m['content'] }}<|im_end|>{% endgeneration %}"
                     "{% else %}{{ m['content'] }}<|im_end|>{% endif %}\n{% endfor %}"
                     "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")
cfg = transformers.LlamaConfig(vocab_size=len(tok), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                               num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=2048,
                               bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
                               pad_token_id=tok.pad_token_id, tie_word_embeddings=True)
transformers.set_seed(0)
model = transformers.LlamaForCausalLM(cfg)
model.save_pretrained(out)
tok.save_pretrained(out)
print("transformers", transformers.__version__, "vocab", len(tok), "params", sum(p.numel() for p in model.parameters()))
