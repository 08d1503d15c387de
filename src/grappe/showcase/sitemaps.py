"""Sitemap of the public site, with hreflang alternates for every language."""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from grappe.ecosystem.models import Organisation, ValueChain
from grappe.showcase import selectors
from grappe.showcase.models import Post

_LANGUAGES = [code for code, _name in settings.LANGUAGES]


class _I18nSitemap(Sitemap):
    i18n = True
    languages = _LANGUAGES
    alternates = True
    x_default = True


class StaticPagesSitemap(_I18nSitemap):
    priority = 1.0

    def items(self) -> list[str]:
        return [
            "showcase:home",
            "showcase:directory",
            "showcase:competences",
            "showcase:events",
            "showcase:opportunities",
            "showcase:news",
            "showcase:stories",
        ]

    def location(self, item: str) -> str:
        return reverse(item)


class ProfileSitemap(_I18nSitemap):
    priority = 0.8

    def items(self):
        return selectors.public_organisations().only("slug", "updated_at").order_by("slug")

    def location(self, item: Organisation) -> str:
        return reverse("showcase:profile", args=[item.slug])

    def lastmod(self, item: Organisation):
        return item.updated_at


class ValueChainSitemap(_I18nSitemap):
    priority = 0.6

    def items(self):
        return ValueChain.objects.order_by("order", "slug")

    def location(self, item: ValueChain) -> str:
        return reverse("showcase:value_chain", args=[item.slug])


class PostSitemap(_I18nSitemap):
    """Published news and stories (a draft or a post planned for later is never listed)."""

    priority = 0.5

    def items(self):
        return selectors.public_posts().only("kind", "slug", "updated_at")

    def location(self, item: Post) -> str:
        section = "news" if item.kind == Post.Kind.NEWS else "stories"
        return reverse(f"showcase:{section}_detail", args=[item.slug])

    def lastmod(self, item: Post):
        return item.updated_at


SITEMAPS = {
    "pages": StaticPagesSitemap,
    "profiles": ProfileSitemap,
    "value-chains": ValueChainSitemap,
    "posts": PostSitemap,
}
