"""``posttui models``: the Gemini models the API key can use, marking the default one and those with a known price.

The list comes from the API itself (google-genai's model listing), so it shows what *this* key can call today: a
retired default, or a model the free tier does not offer, is visible before a generation fails. A model without a
price in the table is marked "cost unknown" (posttui never shows $0 for it); prices can be added with
``[prices.MODEL]`` tables in config.toml.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys


def add_parser(subparsers, name: str) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        name,
        help="list the Gemini models the API key can use, with their prices",
        description="List the Gemini models GEMINI_API_KEY (or GOOGLE_API_KEY) can use: * marks the default model "
        "(config `model` or POSTTUI_MODEL); the price columns come from posttui's table and [prices] in "
        "config.toml.",
    )
    parser.add_argument("--all", action="store_true", help="also list models that cannot write text or images "
                                                           "(embeddings, ...)")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser.set_defaults(run=run)
    return parser


def _price_text(entry) -> str:
    if not entry:
        return "cost unknown (not in the price table)"
    try:
        if float(entry.get("per_image", 0)):
            return f"${float(entry['per_image']):.3f} per image"
        text = f"${float(entry['input']):g} in / ${float(entry['output']):g} out"
        if entry.get("image_output"):
            text += f", images ${float(entry['image_output']):g} out"
        if entry.get("long_threshold"):
            text += f" (over {int(entry['long_threshold']) // 1000}k: ${float(entry['long_input']):g} / " \
                    f"${float(entry['long_output']):g})"
        return text
    except (KeyError, TypeError, ValueError):
        return "cost unknown (the price entry is incomplete)"


def run(args: argparse.Namespace) -> int:
    from ..config import load_config
    from ..llm.base import bare_model_name, price_for
    from ..llm.gemini import GeminiBackend

    config = load_config()
    backend = GeminiBackend(config)

    async def listing():
        try:
            return await backend.list_models()
        finally:
            await backend.aclose()

    models = asyncio.run(listing())
    shown = [m for m in models if args.all or m.generates]
    default = config.model
    rows = []
    for m in shown:
        entry = price_for(m.name, config.prices)
        rows.append({
            "name": m.name,
            "display_name": m.display_name,
            "default": m.name == bare_model_name(default),
            "priced": entry is not None,
            "price": _price_text(entry),
            "input_tokens": m.input_tokens,
            "output_tokens": m.output_tokens,
        })
    has_default = any(r["default"] for r in rows)
    if args.json:
        print(json.dumps({"default": default, "default_available": has_default, "models": rows}, indent=2))
        return 0
    out = sys.stdout
    hidden = len(models) - len(shown)
    more = f" ({hidden} more that write neither text nor images: --all)" if hidden else ""
    out.write(f"{len(shown)} model{'s' if len(shown) != 1 else ''} the key can use{more}:\n")
    width = max([len(r["name"]) for r in rows] + [5])
    out.write(f"  {'MODEL':<{width}}  {'INPUT':>9}  {'OUTPUT':>7}  PRICE (USD per million tokens)\n")
    for r in rows:
        mark = "*" if r["default"] else " "
        limit_in = f"{r['input_tokens']:,}" if r["input_tokens"] else "-"
        limit_out = f"{r['output_tokens']:,}" if r["output_tokens"] else "-"
        out.write(f"{mark} {r['name']:<{width}}  {limit_in:>9}  {limit_out:>7}  {r['price']}\n")
    out.write("* the default model (config.toml `model`, POSTTUI_MODEL, or --model per run)\n")
    if not has_default:
        print(f"posttui: warning: the default model {default} is not available to this key; set `model = \"...\"` "
              "in config.toml or POSTTUI_MODEL to one listed above", file=sys.stderr)
    return 0
