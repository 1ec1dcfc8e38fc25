"""Result areas A-D and the indicators the partnership steers by."""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base
from .types import Direction, IndicatorSource, Translated, str_enum


class ResultArea(Base):
    __tablename__ = "result_area"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(1), unique=True)
    title: Mapped[Translated] = mapped_column()
    strategies: Mapped[list] = mapped_column(default=list)

    indicators: Mapped[list["Indicator"]] = relationship(
        back_populates="result_area", order_by="Indicator.position"
    )

    def __repr__(self) -> str:
        return f"<ResultArea {self.code}>"


class Indicator(Base):
    __tablename__ = "indicator"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    result_area_id: Mapped[int] = mapped_column(ForeignKey("result_area.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[Translated] = mapped_column()
    source: Mapped[IndicatorSource] = mapped_column(str_enum(IndicatorSource, "indicator_source"))
    direction: Mapped[Direction] = mapped_column(
        str_enum(Direction, "indicator_direction"), default=Direction.HIGHER_IS_BETTER
    )

    result_area: Mapped[ResultArea] = relationship(back_populates="indicators")

    def __repr__(self) -> str:
        return f"<Indicator {self.key}>"
