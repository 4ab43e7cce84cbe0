"""Pure functions from one record to the rows of each export format. No I/O here, so each is tested alone.

A record is the parsed JSON object of one line (schema 2.x); every function returns plain dicts.
"""

from __future__ import annotations

from typing import Iterator, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

from ..records import Ambiguity, Case, Gold, Persona, Record

SystemMode = Literal["keep", "drop", "merge"]
SYSTEM_MODES: tuple[str, ...] = ("keep", "drop", "merge")

#: ShareGPT's speaker names, as LLaMA-Factory reads them by default
_SHAREGPT_FROM = {"user": "human", "assistant": "gpt"}


def chat_messages(record: dict, system: SystemMode = "keep") -> list[dict]:
    """The dialogue as role/content messages. ``drop`` leaves the system message out; ``merge`` puts its text
    at the head of the first user message, for chat templates that have no system role (Gemma's)."""
    messages = [{"role": m["role"], "content": m["content"]} for m in record["messages"]]
    if not messages or messages[0]["role"] != "system" or system == "keep":
        return messages
    head, rest = messages[0], messages[1:]
    if system == "merge" and rest:
        rest[0] = {"role": rest[0]["role"], "content": f"{head['content']}\n\n{rest[0]['content']}"}
    return rest


def messages_row(record: dict, system: SystemMode = "keep") -> dict:
    """What TRL's conversational SFT, Axolotl's chat_template loader and OpenAI fine-tuning take."""
    return {"messages": chat_messages(record, system)}


def sharegpt_row(record: dict, system: SystemMode = "keep") -> dict:
    """LLaMA-Factory's ShareGPT layout: human and gpt turns in ``conversations``, the system prompt in its own
    column (``merge`` puts it in the first human turn instead; ``drop`` leaves it out)."""
    messages = chat_messages(record, system)
    prompt = messages[0]["content"] if messages and messages[0]["role"] == "system" else ""
    turns = [m for m in messages if m["role"] != "system"]
    return {"id": record["id"],
            "conversations": [{"from": _SHAREGPT_FROM[m["role"]], "value": m["content"]} for m in turns],
            "system": prompt}


def turn_rows(record: dict, system: SystemMode = "keep") -> Iterator[dict]:
    """One row per assistant message: the messages before it as the prompt, it as the completion (TRL's
    conversational prompt-completion form), and its labels, for per-turn SFT or reward models."""
    messages = record["messages"]
    gold = record["gold"]
    asked = {q["turn"]: q for q in gold["questions"]}
    d_turn = gold["disposition_turn"]
    offset = 1 if messages and messages[0]["role"] == "system" else 0
    for i, (m, t) in enumerate(zip(messages, record["turns"])):
        if m["role"] != "assistant":
            continue
        q = asked.get(i)
        prompt = chat_messages({"messages": messages[:i]}, system)
        yield {
            "id": f"{record['id']}-t{i:02d}", "record_id": record["id"], "split": record["split"], "turn": i,
            "turn_in_dialogue": i - offset,
            "prompt": prompt, "completion": [{"role": "assistant", "content": m["content"]}],
            "act": t["act"], "parts": list(t["parts"]), "finding": t["finding"],
            "red_flag": bool(q and q["red_flag"]), "must_ask": q["must_ask"] if q else None,
            "rules_out": q["rules_out"] if q else None,
            "is_disposition": i == d_turn,
            "disposition": gold["disposition"] if i >= d_turn else None,
            "gold_disposition": gold["disposition"],
        }


def gold_row(record: dict) -> dict:
    """The labels alone, keyed by id, with what an evaluator slices by (persona and hidden case)."""
    return {"id": record["id"], "split": record["split"], "schema_version": record["schema_version"],
            "persona": record["persona"], "case": record["case"], "gold": record["gold"],
            "ambiguity": record["ambiguity"]}


# The row shapes, as models: their JSON Schema documents each format, and the dataset card declares their
# features, so a loader never has to infer a column's type from whichever rows it happens to read first.

class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ChatMessage(_Row):
    role: Literal["system", "user", "assistant"]
    content: str


class MessagesRow(_Row):
    messages: list[ChatMessage]


class ShareGPTTurn(_Row):
    from_: Literal["human", "gpt"] = Field(alias="from")
    value: str


class ShareGPTRow(_Row):
    id: str
    conversations: list[ShareGPTTurn]
    system: str


class TurnRow(_Row):
    id: str
    record_id: str
    split: Literal["train", "test"]
    turn: int
    turn_in_dialogue: int
    prompt: list[ChatMessage]
    completion: list[ChatMessage]
    act: str
    parts: list[str]
    finding: Optional[str]
    red_flag: bool
    must_ask: Optional[str]
    rules_out: Optional[str]
    is_disposition: bool
    disposition: Optional[str]
    gold_disposition: str


class GoldRow(_Row):
    id: str
    split: Literal["train", "test"]
    schema_version: str
    persona: Persona
    case: Case
    gold: Gold
    ambiguity: Ambiguity


#: format -> the model of one row
ROW_MODELS: dict[str, type[BaseModel]] = {
    "records": Record, "parquet": Record, "messages": MessagesRow, "sharegpt": ShareGPTRow, "turns": TurnRow,
    "gold": GoldRow,
}
