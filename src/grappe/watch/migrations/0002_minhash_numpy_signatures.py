"""Signatures and LSH band keys are now computed with numpy (vectorised shingle hashing, multiply-shift
permutations, mixed band keys): recompute them for stored items so old and new items stay comparable."""

from django.db import migrations


def recompute(apps, schema_editor):
    import numpy as np

    from grappe.watch import dedup
    from grappe.watch.cleaning import plain_text

    Item = apps.get_model("watch", "Item")
    ItemBand = apps.get_model("watch", "ItemBand")
    ItemBand.objects.all().delete()
    last = 0
    while True:
        batch = list(Item.objects.filter(pk__gt=last).order_by("pk").only("pk", "title", "summary", "content")[:500])
        if not batch:
            break
        last = batch[-1].pk
        texts = [dedup.signature_text(i.title, plain_text(i.summary) or plain_text(i.content)) for i in batch]
        sigs = dedup.signatures(texts)
        for item, sig in zip(batch, sigs, strict=True):
            item.minhash = dedup.to_bytes(sig)
        Item.objects.bulk_update(batch, ["minhash"])
        signed = [(item, sig) for item, sig in zip(batch, sigs, strict=True) if sig is not None]
        if signed:
            keys = dedup.band_key_matrix(np.stack([sig for _i, sig in signed])).tolist()
            ItemBand.objects.bulk_create(
                [ItemBand(item_id=item.pk, key=key) for (item, _s), row in zip(signed, keys, strict=True) for key in row]
            )


class Migration(migrations.Migration):
    dependencies = [("watch", "0001_initial")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
