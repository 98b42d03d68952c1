from decimal import Decimal
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from contracts.topics import Topic

# Money and counts are bounded where they are defined, so what a producer can send every consumer can store
# (numeric(10, 2) for prices, numeric(14, 2) for amounts): whole øre, finite, within the ranges below.
MAX_PRICE_PER_NIGHT_NOK = Decimal(100_000)
MAX_AMOUNT_NOK = Decimal(1_000_000_000)
PricePerNight = Annotated[Decimal, Field(ge=0, le=MAX_PRICE_PER_NIGHT_NOK, decimal_places=2,
                                         description="NOK per night, in whole øre, at most 100 000.")]
Amount = Annotated[Decimal, Field(ge=-MAX_AMOUNT_NOK, le=MAX_AMOUNT_NOK, decimal_places=2,
                                  description="NOK in whole øre; at most a billion either way.")]
NonNegativeAmount = Annotated[Decimal, Field(ge=0, le=MAX_AMOUNT_NOK, decimal_places=2,
                                             description="NOK in whole øre, at most a billion.")]


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
