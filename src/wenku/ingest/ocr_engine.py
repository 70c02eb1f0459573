"""The OCR engine, run as a child process: ``python -m wenku.ingest.ocr_engine``.

It imports nothing from Django, so its memory (onnxruntime sizes its buffers to the page:
1–1.5 GB) is its own and is freed when it exits; the caller (``ingest.ocr``) bounds its
address space and its time per page, and kills it (its whole process group) on a timeout.

Engine and settings as measured in research/ocr.md: RapidOCR 3.10 with the PP-OCRv6 small
models inside its wheel (nothing is downloaded), the 0/180° line classifier off (it
garbled whole lines), one onnxruntime thread (parallelism is by process), pages rendered
greyscale at 200 dpi with the long side given to the engine whole.

Protocol: one JSON request on stdin —
  {"pdf": "/path/document.pdf", "pages": [3, 4], "dpi": 200}
— then one JSON line per page on stdout, in order:
  {"page": 3, "width": 595.0, "height": 842.0,
   "lines": [[x0, y0, x1, y1, "text", score], ...]}   (boxes in PDF points, top-left origin)
  {"page": 4, "error": "..."}
and a first line {"ready": true, "engine": "rapidocr 3.10.0 PP-OCRv6 small"} once the
models are loaded.
"""

from __future__ import annotations

import json
import sys
from typing import Any

ENGINE_PARAMS: dict[str, Any] = {
    "Global.use_cls": False,
    "Global.log_level": "critical",
    "EngineConfig.onnxruntime.intra_op_num_threads": 1,
    "EngineConfig.onnxruntime.inter_op_num_threads": 1,
}


def engine_name() -> str:
    from importlib.metadata import version

    return f"rapidocr {version('rapidocr')} PP-OCRv6 small"


def load_engine(max_side: int = 2000) -> Any:
    from rapidocr import RapidOCR

    return RapidOCR(params={**ENGINE_PARAMS, "Global.max_side_len": max_side})


def recognise_page(engine: Any, pdf: Any, number: int, dpi: int) -> dict[str, Any]:
    import numpy as np

    page = pdf[number - 1]
    try:
        width, height = page.get_size()
        scale = dpi / 72
        bitmap = page.render(scale=scale, grayscale=True)
        try:
            grey = bitmap.to_numpy()
        finally:
            bitmap.close()
    finally:
        page.close()
    if grey.ndim == 3:
        grey = grey[:, :, 0]
    rgb = np.stack([grey] * 3, axis=-1)
    result = engine(rgb, text_score=0.5)
    lines = []
    for box, text, score in zip(
        result.boxes if result.boxes is not None else [],
        result.txts or (),
        result.scores or (),
        strict=False,
    ):
        xs = [float(p[0]) / scale for p in box]
        ys = [float(p[1]) / scale for p in box]
        lines.append([min(xs), min(ys), max(xs), max(ys), str(text), round(float(score), 3)])
    return {"page": number, "width": float(width), "height": float(height), "lines": lines}


def main() -> int:
    import pypdfium2 as pdfium

    request = json.loads(sys.stdin.readline())
    dpi = int(request.get("dpi", 200))
    pdf = pdfium.PdfDocument(request["pdf"])
    # RapidOCR shrinks any page to max_side_len on its long side: give it the whole render.
    longest = max(max(pdf[n - 1].get_size()) for n in request["pages"]) if request["pages"] else 0
    engine = load_engine(max(2000, int(longest / 72 * dpi) + 1))
    print(json.dumps({"ready": True, "engine": engine_name()}), flush=True)
    for number in request["pages"]:
        try:
            answer = recognise_page(engine, pdf, number, dpi)
        except Exception as exc:  # one bad page does not stop the others
            answer = {"page": number, "error": f"{type(exc).__name__}: {exc}"[:300]}
        print(json.dumps(answer, ensure_ascii=False), flush=True)
    pdf.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
