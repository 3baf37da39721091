"""The ingest ceiling: the same server stack (FastAPI on uvicorn, aiokafka acks=all,
idempotent) producing the raw body to Kafka with no validation at all."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiokafka import AIOKafkaProducer
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from safetywatch.config import KafkaConnectionSettings, load_role
from safetywatch.kafka import client_options

producer: AIOKafkaProducer | None = None


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    global producer
    producer = AIOKafkaProducer(
        **client_options(load_role(KafkaConnectionSettings)),
        acks="all",
        enable_idempotence=True,
        linger_ms=2,
    )
    await producer.start()
    yield
    await producer.stop()


app = FastAPI(lifespan=lifespan)


@app.post("/v1/incidents")
async def raw(request: Request) -> JSONResponse:
    assert producer is not None
    body = await request.body()
    metadata = await producer.send_and_wait(os.environ["SAFETYWATCH_TOPIC"], body, key=b"k")
    return JSONResponse(
        {"partition": metadata.partition, "offset": metadata.offset}, status_code=202
    )
