from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from contracts.topics import Topic


class IntegrationEvent(BaseModel):
    """Base of every v1 event body. The envelope (id, type, source, time, correlation id) travels in
    CloudEvents `ce_*` Kafka headers; this model is the JSON `data`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]
    topic: ClassVar[Topic]
    key_field: ClassVar[str]
    """Name of the field holding the aggregate id, used as the Kafka key."""

    def aggregate_id(self) -> str:
        return str(getattr(self, self.key_field))
