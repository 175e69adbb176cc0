"""Files where more than one machine can reach them: with ``MASHANG_FILE_STORAGE=s3`` every
upload lands in the bucket, a download still passes the permission check and streams the same
bytes back, and the held-upload purge empties the bucket too. The bucket is moto's S3 server on
a free local port (nothing leaves the machine); the storage is the one ``config/settings``
builds from the environment, not a hand-written copy."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import boto3
import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from moto.server import ThreadedMotoServer

from mashang.core.models import PendingUpload
from mashang.demands.models import Attachment, Demand
from mashang.landstart.models import StepDocument
from tests.kit.landstart import OPENED, run_of

ROOT = Path(__file__).resolve().parents[3]
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n" + os.urandom(3000)
PREFIX = "mashang"
KEY_ID, SECRET = "mashang-test", "mashang-test-secret"


def _settings_from(env: dict[str, str]) -> subprocess.CompletedProcess:
    """Load config/settings/base.py in a fresh interpreter with ``env`` and print STORAGES."""
    ours = ("MASHANG_S3_", "MASHANG_FILE_")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings.base")
    code = "import json; from django.conf import settings; print(json.dumps(settings.STORAGES))"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    """moto's S3 on a free port, and the STORAGES that the settings make of the environment an
    operator would set for it (the secret key read from a file)."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    secret_file = tmp_path_factory.mktemp("secrets") / "s3-secret"
    secret_file.write_text(SECRET + "\n")
    bucket = f"mashang-{uuid.uuid4().hex[:12]}"
    loaded = _settings_from(
        {
            "MASHANG_FILE_STORAGE": "s3",
            "MASHANG_S3_BUCKET": bucket,
            "MASHANG_S3_ENDPOINT_URL": endpoint,
            "MASHANG_S3_REGION": "us-east-1",
            "MASHANG_S3_ACCESS_KEY_ID": KEY_ID,
            "MASHANG_S3_SECRET_ACCESS_KEY_FILE": str(secret_file),
            "MASHANG_S3_PREFIX": f"/{PREFIX}/",
        }
    )
    assert loaded.returncode == 0, loaded.stderr
    storages = json.loads(loaded.stdout)
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
    )
    client.create_bucket(Bucket=bucket)
    yield storages, client, bucket
    server.stop()


@pytest.fixture
def bucket(s3, settings):
    """The bucket, emptied, as the storage of every file for this test; its keys on call."""
    storages, client, name = s3
    for obj in client.list_objects_v2(Bucket=name).get("Contents", []):
        client.delete_object(Bucket=name, Key=obj["Key"])
    settings.STORAGES = storages

    def keys(folder: str = "") -> list[str]:
        listed = client.list_objects_v2(Bucket=name, Prefix=f"{PREFIX}/{folder}")
        return sorted(o["Key"] for o in listed.get("Contents", []))

    keys.body = lambda key: client.get_object(Bucket=name, Key=key)["Body"].read()
    keys.acl = lambda key: client.get_object_acl(Bucket=name, Key=key)["Grants"]
    return keys


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _file_a_demand(client: Client, **fields):
    data = {
        "category": "land",
        "title": "厂房用地红线需要复核",
        "description": "新厂房的用地红线与规划图不一致。",
        "contact_name": "王经理",
        "contact_phone": "13800000000",
        "attachments": [SimpleUploadedFile("宗地图.pdf", PDF, content_type="application/pdf")],
        **fields,
    }
    return client.post(reverse("demands:new"), data)


def test_the_settings_build_a_private_s3_storage_from_the_environment(s3):
    storages, _client, name = s3
    options = storages["default"]["OPTIONS"]
    assert storages["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert options["bucket_name"] == name and options["location"] == PREFIX
    assert options["addressing_style"] == "path"
    # The secret key was read from its file.
    assert (options["access_key"], options["secret_key"]) == (KEY_ID, SECRET)
    # Private objects, signed URLs only, no name ever overwritten.
    assert options["default_acl"] is None and options["querystring_auth"] is True
    assert options["file_overwrite"] is False
    # Static files stay with WhiteNoise (the apps' own files), not in the bucket.
    static = storages["staticfiles"]["BACKEND"]
    assert static == "django.contrib.staticfiles.storage.StaticFilesStorage"


@pytest.mark.django_db
def test_an_attachment_goes_to_the_bucket_and_comes_back_only_to_those_who_may_see_it(zone, bucket):
    contact = _signed_in(zone.contact)
    assert _file_a_demand(contact).status_code == 302
    attachment = Attachment.objects.get()
    [key] = bucket("attachments/")
    assert key == f"{PREFIX}/{attachment.file.name}" and bucket.body(key) == PDF
    # Private: only the owner's grant, nothing for everyone.
    assert all("URI" not in g["Grantee"] for g in bucket.acl(key))

    url = reverse("demands:attachment", args=[attachment.demand_id, attachment.pk])
    for person in (zone.contact, zone.officer):
        response = _signed_in(person).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Length"] == str(len(PDF))
        assert "filename*=UTF-8''%E5%AE%97%E5%9C%B0%E5%9B%BE.pdf" in response["Content-Disposition"]
    # Another enterprise, and a unit the demand never reached, are refused.
    assert _signed_in(zone.other_contact).get(url).status_code == 404
    assert _signed_in(zone.land_staff).get(url).status_code == 404


@pytest.mark.django_db
def test_a_file_gone_from_the_bucket_is_a_404_not_an_error(zone, bucket):
    _file_a_demand(_signed_in(zone.contact))
    attachment = Attachment.objects.get()
    default_storage.delete(attachment.file.name)
    url = reverse("demands:attachment", args=[attachment.demand_id, attachment.pk])
    assert _signed_in(zone.contact).get(url).status_code == 404


@pytest.mark.django_db
def test_a_held_upload_is_kept_in_the_bucket_then_filed_or_purged(
    zone, bucket, capsys, django_capture_on_commit_callbacks
):
    contact = _signed_in(zone.contact)
    # The form comes back (no title): the file is held, in the bucket.
    response = _file_a_demand(contact, title="")
    assert response.status_code == 422
    [held_key] = bucket("held/")
    held_id = re.search(r'name="held" value="(\d+)"', response.content.decode()).group(1)
    # Sent again with the held file: it becomes the demand's, read back from the bucket.
    with django_capture_on_commit_callbacks(execute=True):  # the hold goes once committed
        response = _file_a_demand(contact, attachments=[], held=[held_id])
    assert response.status_code == 302
    attachment = Attachment.objects.get(demand=Demand.objects.get())
    assert bucket.body(f"{PREFIX}/{attachment.file.name}") == PDF
    assert bucket("held/") == [] and not PendingUpload.objects.exists()

    # A hold never sent again is purged after a day, from the bucket too.
    _file_a_demand(contact, title="")
    [left] = bucket("held/")
    PendingUpload.objects.update(uploaded_at=timezone.now() - timedelta(days=1, minutes=1))
    call_command("purge_held_uploads")
    assert "1" in capsys.readouterr().out
    assert bucket("held/") == [] and not PendingUpload.objects.exists()
    assert left != held_key and len(bucket("attachments/")) == 1


@pytest.mark.django_db
def test_a_land_start_document_goes_to_the_bucket_and_only_the_run_may_read_it(bundle, api, bucket):
    run = run_of(bundle, opened=OPENED, documents=False)
    unit = api("unit-zrzy")
    response = unit.client.post(
        f"/api/v1/landstarts/{run.pk}/steps/land_use_permit/documents",
        {"files": [SimpleUploadedFile("规划条件.pdf", PDF)]},
        headers=unit.headers,
    )
    assert response.status_code == 200, response.content
    stored = StepDocument.objects.get()
    assert bucket("landstart/") == [f"{PREFIX}/{stored.file.name}"]
    step = next(s for s in response.json()["steps"] if s["code"] == "land_use_permit")
    url = step["documents"][0]["url"]
    download = api("ent-a").get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert api("ent-b").get(url).status_code == 404


def test_local_disk_is_the_default():
    loaded = _settings_from({})
    assert loaded.returncode == 0, loaded.stderr
    local = json.loads(loaded.stdout)["default"]
    assert local == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert isinstance(default_storage, FileSystemStorage)


def test_s3_without_a_bucket_or_without_keys_in_production_is_refused():
    no_bucket = _settings_from({"MASHANG_FILE_STORAGE": "s3"})
    assert no_bucket.returncode != 0 and "MASHANG_S3_BUCKET" in no_bucket.stderr
    no_keys = _settings_from(
        {
            "MASHANG_ENV": "production",
            "SECRET_KEY": "k" * 50,
            "ALLOWED_HOSTS": "mashang.example.gov.cn",
            "MASHANG_FILE_STORAGE": "s3",
            "MASHANG_S3_BUCKET": "mashang",
        }
    )
    assert no_keys.returncode != 0
    assert "refuses to start in production" in no_keys.stderr
    assert "MASHANG_S3_ACCESS_KEY_ID and MASHANG_S3_SECRET_ACCESS_KEY" in no_keys.stderr
    typo = _settings_from({"MASHANG_FILE_STORAGE": "minio"})
    assert typo.returncode != 0 and "MASHANG_FILE_STORAGE must be local or s3" in typo.stderr
