"""The Python demo application: a two-step support bot that takes the Experiments plugin's test webhooks.

It is instrumented the way Phoenix users instrument theirs: the official `openai` client with
`openinference-instrumentation-openai`, OTLP/HTTP (protobuf) to Phoenix's `/v1/traces`, the Phoenix project
named by the resource attribute `openinference.project.name`.

Run it with the Phoenix virtual environment's Python:
    python -m uvicorn app:app --app-dir dev/demo-app-python --port 3002

Settings (environment): PHOENIX_URL, PHOENIX_API_KEY (when Phoenix has auth on), PHOENIX_PROJECT,
OPENAI_BASE_URL, OPENAI_API_KEY, WEBHOOK_SECRET (whsec_…), DEMO_MODEL (default gpt-4o-mini),
DEMO_IGNORE_OVERRIDES (e.g. "response_generator.temperature": overrides the app pretends not to support).
"""

import json
import os
import time
from contextlib import asynccontextmanager

from fastapi import BackgroundTasks, FastAPI, Request
from fastapi.responses import JSONResponse
from openai import OpenAI
from openinference.instrumentation.openai import OpenAIInstrumentor
from opentelemetry import context as otel_context
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExportResult
from standardwebhooks import Webhook, WebhookVerificationError

MODEL = os.environ.get("DEMO_MODEL", "gpt-4o-mini")
CATEGORIES = ["refund", "shipping", "password_reset", "billing", "cancellation", "technical"]
LENGTH = {
    "low": "Answer in one sentence.",
    "medium": "Answer in two to four sentences.",
    "high": "Answer thoroughly, in a short paragraph with next steps.",
}
DEFAULTS = {
    "classifier": {
        "system": "You classify customer support messages into exactly one intent category. Reply with the category only.",
        "model": MODEL, "temperature": 0.2, "top_p": 1, "max_tokens": 16, "verbosity": "low",
    },
    "response_generator": {
        "system": "You are a friendly customer support agent. Solve the customer’s problem in plain words.",
        "model": MODEL, "temperature": 0.7, "top_p": 1, "max_tokens": 300, "verbosity": "medium",
    },
}
IGNORED = {entry for entry in os.environ.get("DEMO_IGNORE_OVERRIDES", "").split(",") if entry}

# --- Tracing: every span goes to Phoenix, into the project named here. -----------------------------------------
phoenix_url = os.environ.get("PHOENIX_URL", "http://127.0.0.1:6006").rstrip("/")
api_key = os.environ.get("PHOENIX_API_KEY")
provider = TracerProvider(resource=Resource.create({
    "openinference.project.name": os.environ.get("PHOENIX_PROJECT", "support-bot"),
    "service.name": "demo-support-app-python",
}))


class PatientExporter(OTLPSpanExporter):
    """Rides out a Phoenix restart. The stock exporter gives up on a batch after 6 tries (backoff 1, 2, 4, 8, 16 s),
    about 30 s, and the batch processor then drops it; this tries the batch again for up to 2 minutes."""

    def export(self, spans):
        deadline = time.monotonic() + 120
        while (result := super().export(spans)) is SpanExportResult.FAILURE and time.monotonic() < deadline:
            if self._shutdown:
                break
            time.sleep(2)
        return result


provider.add_span_processor(BatchSpanProcessor(
    PatientExporter(endpoint=f"{phoenix_url}/v1/traces", timeout=40,
                    headers={"authorization": f"Bearer {api_key}"} if api_key else {}),
    schedule_delay_millis=200,
))
OpenAIInstrumentor().instrument(tracer_provider=provider)
tracer = provider.get_tracer("demo-app-python")
client = OpenAI(base_url=os.environ.get("OPENAI_BASE_URL"), api_key=os.environ.get("OPENAI_API_KEY", "not-needed"))
webhook = Webhook(os.environ["WEBHOOK_SECRET"])


# --- The integration: verify, apply the overrides per step, tag the trace with the test id. --------------------
def step_params(step, overrides):
    given = {name: value for name, value in overrides.get(step, {}).items() if f"{step}.{name}" not in IGNORED}
    return {**DEFAULTS[step], **given}


def call_step(step, params, user, seed):
    # The instrumented call's span is named ChatCompletion: a parent span says which step it belongs to, and records
    # what the call's own attributes cannot tell apart: the system prompt as given (before the length instruction
    # is added) and the verbosity.
    with tracer.start_as_current_span(step, attributes={
        "experiment.step": step, "openinference.span.kind": "CHAIN", "experiment.verbosity": params["verbosity"],
        "gen_ai.system_instructions": json.dumps([{"type": "text", "content": params["system"]}]),
    }):
        system = params["system"] if step == "classifier" else f"{params['system']}\n\n{LENGTH[params['verbosity']]}"
        completion = client.chat.completions.create(
            model=params["model"],
            messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
            temperature=params["temperature"], top_p=params["top_p"], max_tokens=params["max_tokens"], seed=seed,
        )
        return completion.choices[0].message.content or ""


def run_pipeline(payload):
    experiment = payload["experiment"]
    overrides, seed = experiment.get("overrides", {}), experiment.get("repeat", 0)
    # A root span of its own per test, whatever context the request ran in.
    with tracer.start_as_current_span("pipeline", context=otel_context.Context(), attributes={
        "experiment.test_id": payload["testId"], "openinference.span.kind": "CHAIN", "input.value": payload["prompt"],
    }) as root:
        question = f"{payload['prompt']}\n\nAnswer with exactly one of: {', '.join(CATEGORIES)}."
        category = call_step("classifier", step_params("classifier", overrides), question, seed).strip()
        answer = call_step("response_generator", step_params("response_generator", overrides),
                           f"Category: {category}\nCustomer: {payload['prompt']}", seed)
        root.set_attribute("output.value", answer)


# --- The web app. ------------------------------------------------------------------------------------------------
@asynccontextmanager
async def lifespan(_app):
    yield
    provider.shutdown()  # sends the spans still waiting


app = FastAPI(lifespan=lifespan)


def problem(status, code, message):
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


@app.get("/health")
def health():
    return {"ok": True}


@app.post("/webhook")
async def receive(request: Request, background: BackgroundTasks):
    try:
        payload = webhook.verify(await request.body(), dict(request.headers))
    except WebhookVerificationError as error:
        return problem(401, "unauthorized", f"Webhook signature verification failed: {error}")
    if not isinstance(payload.get("testId"), str) or not isinstance(payload.get("experiment"), dict):
        return problem(400, "bad_request", "The webhook body is not a test webhook.")
    background.add_task(run_pipeline, payload)  # answer now, work after: the plugin waits for the trace
    return JSONResponse({"accepted": True}, status_code=202)
