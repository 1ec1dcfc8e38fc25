"""The school roster: editable data, never hard-coded."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class School(Base):
    __tablename__ = "school"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # The name as Spanish and Chinese speakers say it ("Escuela Primaria Jackson",
    # "杰克逊小学"): shown to respondents in their language, and matched when they text it.
    name_es: Mapped[str | None] = mapped_column(String(200))
    name_zh: Mapped[str | None] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(20))
    # Tiers are reassigned every year (focus / achieving / excelling).
    tier: Mapped[str | None] = mapped_column(String(20))
    tier_school_year: Mapped[str | None] = mapped_column(String(9))
    dual_language: Mapped[str | None] = mapped_column(String(60))
    signature_programs: Mapped[list] = mapped_column(default=list)
    # Denominator for response rates; unknown until the district provides it.
    enrollment: Mapped[int | None]
    active: Mapped[bool] = mapped_column(default=True)

    def name_in(self, language: str | None) -> str:
        """The name a respondent reading `language` knows the school by; English if none."""
        return {"es": self.name_es, "zh": self.name_zh}.get(language or "") or self.name

    @property
    def names(self) -> list[str]:
        """Every name the school goes by, English first."""
        return [name for name in (self.name, self.name_es, self.name_zh) if name]

    def __repr__(self) -> str:
        return f"<School {self.code}>"
