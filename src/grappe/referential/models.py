"""Reference data shipped with Grappe: NACE-BEL codes, the Belgian territory, KBO code tables.

Loaded by data migrations from the files in ``referential/data`` (see ``data/PROVENANCE.md``);
read-only in the product.
"""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class LabelledMixin(models.Model):
    """Labels in the four languages, with a fallback to French then Dutch."""

    label_fr = models.CharField(_("libellé (fr)"), max_length=400, blank=True)
    label_nl = models.CharField(_("libellé (nl)"), max_length=400, blank=True)
    label_de = models.CharField(_("libellé (de)"), max_length=400, blank=True)
    label_en = models.CharField(_("libellé (en)"), max_length=400, blank=True)

    class Meta:
        abstract = True

    def label_in(self, language: str | None = None) -> str:
        language = (language or get_language() or "fr")[:2]
        for code in (language, "fr", "en", "nl", "de"):
            value = getattr(self, f"label_{code}", "")
            if value:
                return value
        return ""

    @property
    def label(self) -> str:
        return self.label_in()


class NaceCode(LabelledMixin):
    """A NACE-BEL code of one version (2008 or 2025), at one level of the hierarchy.

    ``code`` is stored as the KBO register writes it: without dots, zero-padded
    (section ``F``, division ``43``, group ``431``, class ``4311``, subclass ``43110``, national
    sub-code ``4311001``). ``dotted`` is the display form (``43.110``).
    """

    class Version(models.TextChoices):
        V2008 = "2008", "NACE-BEL 2008"
        V2025 = "2025", "NACE-BEL 2025"

    class Level(models.IntegerChoices):
        SECTION = 1, _("section")
        DIVISION = 2, _("division")
        GROUP = 3, _("groupe")
        CLASS = 4, _("classe")
        SUBCLASS = 5, _("sous-classe")
        NATIONAL = 6, _("sous-code national")

    version = models.CharField(_("version"), max_length=4, choices=Version.choices)
    code = models.CharField(_("code"), max_length=8)
    dotted = models.CharField(_("code affiché"), max_length=10)
    level = models.PositiveSmallIntegerField(_("niveau"), choices=Level.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    section = models.CharField(_("section"), max_length=1, blank=True)

    class Meta:
        verbose_name = _("code NACE-BEL")
        verbose_name_plural = _("codes NACE-BEL")
        ordering = ["version", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="%(app_label)s_%(class)s_unique_code"),
        ]
        indexes = [models.Index(fields=["version", "level"])]

    def __str__(self) -> str:
        return f"{self.dotted} {self.label}"


class Region(LabelledMixin):
    """A Belgian region (Wallonia, Flanders, Brussels-Capital)."""

    nis = models.CharField(_("code INS"), max_length=5, unique=True)

    class Meta:
        verbose_name = _("région")
        verbose_name_plural = _("régions")
        ordering = ["nis"]

    def __str__(self) -> str:
        return self.label


class Province(LabelledMixin):
    """A Belgian province."""

    nis = models.CharField(_("code INS"), max_length=5, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="provinces")

    class Meta:
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        ordering = ["nis"]

    def __str__(self) -> str:
        return self.label


class Arrondissement(LabelledMixin):
    """An administrative arrondissement (Brussels-Capital has no province)."""

    nis = models.CharField(_("code INS"), max_length=5, unique=True)
    province = models.ForeignKey(
        Province, null=True, blank=True, on_delete=models.PROTECT, related_name="arrondissements"
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="arrondissements")

    class Meta:
        verbose_name = _("arrondissement")
        verbose_name_plural = _("arrondissements")
        ordering = ["nis"]

    def __str__(self) -> str:
        return self.label


class Municipality(LabelledMixin):
    """A municipality after the 2025 mergers."""

    nis = models.CharField(_("code INS"), max_length=5, unique=True)
    arrondissement = models.ForeignKey(Arrondissement, on_delete=models.PROTECT, related_name="municipalities")
    province = models.ForeignKey(
        Province, null=True, blank=True, on_delete=models.PROTECT, related_name="municipalities"
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="municipalities")
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["label_fr"]

    def __str__(self) -> str:
        return self.label


class PostalCode(models.Model):
    """A Belgian postal code and the municipality it belongs to, with the locality's coordinates."""

    code = models.CharField(_("code postal"), max_length=4, unique=True)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="postal_codes")
    locality = models.CharField(_("localité"), max_length=120, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)

    class Meta:
        verbose_name = _("code postal")
        verbose_name_plural = _("codes postaux")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.municipality}"


class KboCode(models.Model):
    """One entry of the KBO/BCE ``code.csv`` table (juridical forms, situations, activity groups...).

    NACE codes are not kept here: they live in ``NaceCode``.
    """

    category = models.CharField(_("catégorie"), max_length=40)
    code = models.CharField(_("code"), max_length=20)
    label_fr = models.CharField(_("libellé (fr)"), max_length=400, blank=True)
    label_nl = models.CharField(_("libellé (nl)"), max_length=400, blank=True)
    label_de = models.CharField(_("libellé (de)"), max_length=400, blank=True)

    class Meta:
        verbose_name = _("code BCE")
        verbose_name_plural = _("codes BCE")
        ordering = ["category", "code"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="%(app_label)s_%(class)s_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.code}"

    def label_in(self, language: str | None = None) -> str:
        language = (language or get_language() or "fr")[:2]
        for code in (language, "fr", "nl", "de"):
            value = getattr(self, f"label_{code}", "")
            if value:
                return value
        return self.code
