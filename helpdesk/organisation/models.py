"""Académie → basins (bassins) → schools (établissements)."""

from enum import StrEnum

from flask_babel import gettext as _
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.platform.extensions import db
from helpdesk.platform.i18n import N_


class SchoolType(StrEnum):
    ECOLE = "ecole"
    COLLEGE = "college"
    LYCEE = "lycee"
    LP = "lp"
    EREA = "erea"
    CIO = "cio"
    AUTRE = "autre"


SCHOOL_TYPE_LABELS = {
    SchoolType.ECOLE: N_("École"),
    SchoolType.COLLEGE: N_("Collège"),
    SchoolType.LYCEE: N_("Lycée"),
    SchoolType.LP: N_("Lycée professionnel"),
    SchoolType.EREA: N_("EREA"),
    SchoolType.CIO: N_("CIO"),
    SchoolType.AUTRE: N_("Autre"),
}


class Academie(db.Model):
    __tablename__ = "academie"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    school_holiday_zone: Mapped[str] = mapped_column(String(1), default="C")

    basins: Mapped[list["Basin"]] = relationship(back_populates="academie", order_by="Basin.name")


class Basin(db.Model):
    __tablename__ = "basin"
    __table_args__ = (UniqueConstraint("academie_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    academie_id: Mapped[int] = mapped_column(ForeignKey("academie.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    department: Mapped[str] = mapped_column(String(3), default="")

    academie: Mapped[Academie] = relationship(back_populates="basins")
    schools: Mapped[list["School"]] = relationship(back_populates="basin", order_by="School.name")

    def __str__(self) -> str:
        return self.name


class School(db.Model):
    __tablename__ = "school"

    id: Mapped[int] = mapped_column(primary_key=True)
    uai: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[SchoolType] = mapped_column(String(20))
    town: Mapped[str] = mapped_column(String(120))
    basin_id: Mapped[int] = mapped_column(ForeignKey("basin.id"), index=True)

    basin: Mapped[Basin] = relationship(back_populates="schools")

    @property
    def type_label(self) -> str:
        return _(SCHOOL_TYPE_LABELS[self.type]) if self.type in SCHOOL_TYPE_LABELS else self.type

    def __str__(self) -> str:
        return f"{self.name} ({self.town}) — {self.uai}"
