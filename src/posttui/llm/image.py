"""The header image: first an image prompt (a second call given the post), then, optionally, the picture itself.

The image prompt follows the site: an abstract, visually appealing, text-free image about the paper's topic,
asked for with :func:`posttui.prompt.image_prompt_request` (a packaged, user-overridable template). The offline
writer answers it deterministically from the paper, with no network.

The picture is optional (``Config.image_generation``, off by default) and its model configurable
(``Config.image_model``). Two ways exist in google-genai:

* an image-capable Gemini model (e.g. ``gemini-2.5-flash-image``) through ``generate_content`` with
  ``response_modalities=["IMAGE"]``: the picture comes back as an ``inline_data`` part. Works with an API key.
* an Imagen model (``imagen-4.0-generate-001``, the one the site's footer names) through ``generate_images``:
  the SDK supports it **only in Vertex AI mode** (``GOOGLE_GENAI_USE_VERTEXAI=true``, with a Google Cloud project
  and credentials, or in Vertex "express mode" with an API key and no project); with a Gemini API key it is
  refused with a message saying exactly that. (The SDK marks ``generate_images`` as deprecated in favour of Gemini
  image models.)

The site stores the image as ``assets/images/posts/DATE-ID.png``. Imagen is asked for PNG; a Gemini image model
cannot be, and an answer in another format (JPEG, WebP) is refused with a message naming the format rather than
saved under a wrong extension: converting would need an image library (Pillow) for one rare case, so posttui
leaves that to the user. Draft pictures a thinking image model sends as thought parts are skipped. When no
picture comes back, the message says why (the finish reason and Google's explanation, or Imagen's filter
reason). Every image call is priced (image output tokens at the image rate, Imagen per picture) and counted in
``ImageResult.charge``; a failed call's charge is on the error. A post without a generated image is still a post.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config import Config
from ..errors import LLMError
from ..postformat import strip_fence
from .base import Backend, Charge, GenerationResult, StreamOutcome, Usage, bare_model_name, estimate_cost, user
from .errors import LLMBlockedError, LLMConfigError, LLMEmptyError

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
FILTER_REASONS = {
    "IMAGE_SAFETY": "the picture tripped the image safety filter",
    "IMAGE_PROHIBITED_CONTENT": "the picture would show prohibited content",
    "IMAGE_RECITATION": "the picture resembled an existing image too closely",
    "IMAGE_OTHER": "the image model gave up for another reason",
    "NO_IMAGE": "the model answered without drawing",
    "SAFETY": "the safety filter stopped the answer",
    "PROHIBITED_CONTENT": "the request asks for prohibited content",
    "RECITATION": "the answer repeated existing material",
    "MAX_TOKENS": "the answer hit the output limit before the picture was finished",
}
"""Why an image call ended without a picture, in words (google-genai does not pass the API's finishMessage on)."""
ASPECT_RATIO = "16:9"


def clean_image_prompt(text: str) -> str:
    """The image prompt as saved: no code fence, no surrounding quotes or blank lines."""
    text = strip_fence(text).strip()
    if len(text) > 1 and text[0] == text[-1] and text[0] in "\"'\u201c":
        text = text[1:-1].strip()
    return text


async def write_image_prompt(backend: Backend, post: str, *, config: Config | None = None) -> GenerationResult:
    """Ask the backend for the image prompt of ``post``; ``result.text`` is the cleaned prompt."""
    from dataclasses import replace

    from ..prompt import image_prompt_request

    result = await backend.stream([user(image_prompt_request(post, config=config))]).collect()
    text = clean_image_prompt(result.text)
    if not text:
        raise LLMEmptyError("the model returned an empty image prompt", hint="try again")
    return replace(result, text=text)


@dataclass
class ImageResult:
    data: bytes
    mime_type: str
    model: str
    usage: Usage
    cost: float | None
    """USD priced by the model that answered; None means "cost unknown" (no price), never $0."""
    requests: int = 1

    @property
    def charge(self) -> Charge:
        return Charge("gemini", self.model, self.usage, self.cost, self.requests)


def is_imagen(model_name: str) -> bool:
    return model_name.split("/")[-1].lower().startswith("imagen")


async def generate_image(backend: Backend, image_prompt: str, *, config: Config) -> ImageResult:
    """Make the header image from ``image_prompt`` with ``config.image_model`` (PNG bytes)."""
    model_name = config.image_model
    if getattr(backend, "name", "") != "gemini" or not hasattr(backend, "client"):
        raise LLMConfigError(
            "the header image needs Gemini: the offline writer makes no pictures",
            hint="export GEMINI_API_KEY to generate images, or turn image_generation off (the post is complete "
            "without one)",
        )
    if is_imagen(model_name):
        if not getattr(backend, "vertex", False):
            raise LLMConfigError(
                f"{model_name} is an Imagen model, which google-genai serves only through Vertex AI, not with a "
                "Gemini API key",
                hint="set image_model (config.toml) or POSTTUI_IMAGE_MODEL to an image-capable Gemini model such "
                "as gemini-2.5-flash-image, or use Vertex AI (GOOGLE_GENAI_USE_VERTEXAI=true, "
                "GOOGLE_CLOUD_PROJECT, GOOGLE_CLOUD_LOCATION)",
            )
        return await _imagen(backend, model_name, image_prompt, config)
    return await _gemini_image(backend, model_name, image_prompt, config)


async def _gemini_image(backend, model_name: str, image_prompt: str, config: Config) -> ImageResult:
    from google.genai import types

    from .gemini import usage_of

    gen_config = types.GenerateContentConfig(
        response_modalities=["IMAGE"], image_config=types.ImageConfig(aspect_ratio=ASPECT_RATIO)
    )
    counter = StreamOutcome()
    response = await backend.generate_content([user(image_prompt)], model=model_name, config=gen_config,
                                              counter=counter)
    answered = bare_model_name(response.model_version or model_name)
    usage = usage_of(response.usage_metadata) if response.usage_metadata else Usage()
    charge = Charge("gemini", answered, usage, estimate_cost(answered, usage, config.prices), counter.requests)
    feedback = getattr(response, "prompt_feedback", None)
    if feedback is not None and feedback.block_reason:
        reason = getattr(feedback.block_reason, "value", feedback.block_reason)
        said = f": {feedback.block_reason_message}" if getattr(feedback, "block_reason_message", None) else ""
        raise _charged(LLMBlockedError(
            f"{model_name} blocked the image prompt ({reason}){said}", hint="edit the image prompt and try again"
        ), charge)
    candidate = response.candidates[0] if response.candidates else None
    finish = getattr(getattr(candidate, "finish_reason", None), "value", "") if candidate else ""
    parts = candidate.content.parts if candidate and candidate.content and candidate.content.parts else []
    for part in parts:
        blob = getattr(part, "inline_data", None)
        if getattr(part, "thought", False) or blob is None or not blob.data:
            continue  # a thinking image model's draft pictures are thoughts, not the answer
        result = _checked(blob.data, blob.mime_type or "", answered, usage, config, charge)
        result.requests = counter.requests
        return result
    words = " ".join(p.text for p in parts if p.text and not getattr(p, "thought", False)).strip()
    if finish and finish not in ("STOP", "FINISH_REASON_UNSPECIFIED"):
        # google-genai drops the API's finishMessage, so the reason is explained here, with the model's own words
        why = FILTER_REASONS.get(finish, "")
        said = f"; the model said: {words[:200]!r}" if words else ""
        raise _charged(LLMBlockedError(
            f"{model_name} made no image (finish reason {finish}{f': {why}' if why else ''}){said}",
            hint="edit the image prompt and try again",
        ), charge)
    answer = f"; it answered in words instead: {words[:200]!r}" if words else ""
    raise _charged(LLMEmptyError(
        f"{model_name} returned no image{answer}",
        hint="check that the model can output images (e.g. gemini-2.5-flash-image) and try again",
    ), charge)


def _charged(error: LLMError, charge: Charge) -> LLMError:
    error.charge = charge
    return error


async def _imagen(backend, model_name: str, image_prompt: str, config: Config) -> ImageResult:
    import warnings

    from google.genai import types

    counter = StreamOutcome()

    async def call():
        with warnings.catch_warnings():
            # The SDK marks generate_images as deprecated in favour of Gemini image models; it still works on
            # Vertex AI and is what the site's footer names, so the warning would only confuse the user.
            warnings.simplefilter("ignore")
            return await backend.client.aio.models.generate_images(
                model=model_name,
                prompt=image_prompt,
                config=types.GenerateImagesConfig(
                    number_of_images=1, aspect_ratio=ASPECT_RATIO, output_mime_type="image/png"
                ),
            )

    response = await backend.call_with_retries(call, counter, model=model_name)
    images = response.generated_images or []
    if not images or images[0].image is None or not images[0].image.image_bytes:
        reason = images[0].rai_filtered_reason if images else ""
        raise _charged(LLMBlockedError(
            f"{model_name} returned no image{f' (filtered: {reason})' if reason else ' (no reason given)'}",
            hint="edit the image prompt and try again",
        ), Charge("gemini", model_name, Usage(), estimate_cost(model_name, Usage(), config.prices), counter.requests))
    image = images[0].image
    usage = Usage(images=1)
    charge = Charge("gemini", model_name, usage, estimate_cost(model_name, usage, config.prices), counter.requests)
    result = _checked(image.image_bytes, image.mime_type or "image/png", model_name, usage, config, charge)
    result.requests = counter.requests
    return result


def _checked(data: bytes, mime: str, model_name: str, usage: Usage, config: Config, charge: Charge) -> ImageResult:
    if not data.startswith(PNG_MAGIC):
        kind = _image_kind(data) or mime or "non-PNG"
        raise _charged(LLMError(
            f"{model_name} returned a {kind} image; the site stores header images as PNG, and posttui does not "
            "convert pictures",
            hint="choose an image model that returns PNG (gemini-2.5-flash-image does; Imagen is asked for PNG), or "
            "make the picture yourself and save it as the post's .png",
        ), charge)
    return ImageResult(data, "image/png", model_name, usage, estimate_cost(model_name, usage, config.prices))


def _image_kind(data: bytes) -> str:
    """The format the bytes really are (the mime type an API reports can be wrong)."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    return ""
