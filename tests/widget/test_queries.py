"""Every GraphQL document the storefront widget sends is valid against the CRM's own API and against
the supergraph a gateway serves (composed with Saleor's SDL by a real composer): ``data-endpoint`` may
point at either. The documents are read out of the widget's own files by Node, not copied here."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from graphql import parse, validate

from saleor_crm_plugin.graphql.schema import print_sdl, schema
from saleor_crm_plugin.widget import views

from ..federation import ROOT, compose

SENT = {"PROGRAM", "ACCOUNT", "REDEEM", "MY_TICKETS", "TICKET", "MY_ORDERS", "OPEN_TICKET", "REPLY", "RATE"}
# Runs the widget's files in an empty context (the page never finishes loading, so nothing mounts) and
# prints every top-level string that is a GraphQL document.
EXTRACT = """
const vm = require("vm");
const source = require("fs").readFileSync(0, "utf8");
const script = { src: "https://store/plugins/global/saleor.crm/widget.js", getAttribute: () => null };
const context = { document: { currentScript: script, readyState: "loading", addEventListener() {} }, window: {} };
vm.runInNewContext(source, context);
const documents = Object.entries(context).filter(([, v]) => typeof v === "string" && /^(query|mutation|[{])/.test(v));
console.log(JSON.stringify(Object.fromEntries(documents)));
"""
VALIDATE = """
const { buildSchema, parse, validate } = require("graphql");
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const schema = buildSchema(input.supergraph, { assumeValidSDL: true });
const errors = {};
for (const [name, text] of Object.entries(input.documents)) {
  const found = validate(schema, parse(text)).map((error) => error.message);
  if (found.length) errors[name] = found;
}
console.log(JSON.stringify(errors));
"""


def node(program: str, stdin: str, cwd=ROOT) -> str:
    if not shutil.which("node"):
        pytest.skip("Node.js is not installed")
    run = subprocess.run(["node", "-e", program], input=stdin, capture_output=True, text=True, cwd=cwd, timeout=120)
    assert run.returncode == 0, run.stderr
    return run.stdout


@pytest.fixture(scope="module")
def documents() -> dict[str, str]:
    source = "\n".join((Path(views.__file__).parent / name).read_text() for name in views.PARTS)
    found = json.loads(node(EXTRACT, source))
    assert set(found) >= SENT
    return found


def test_the_widget_uses_only_crm_root_fields(documents):
    for name, text in documents.items():
        operation = parse(text).definitions[0]
        roots = [field.name.value for field in operation.selection_set.selections]
        assert all(root.startswith(("crm", "loyalty")) for root in roots), (name, roots)


def test_the_widgets_documents_are_valid_on_the_plugins_api(documents):
    errors = {name: [e.message for e in validate(schema, parse(text))] for name, text in documents.items()}
    assert {name: found for name, found in errors.items() if found} == {}


def test_the_widgets_documents_are_valid_through_a_gateway(documents, tmp_path):
    out = tmp_path / "supergraph.graphql"
    composed = compose(print_sdl(), out)
    assert composed.returncode == 0, composed.stderr
    payload = json.dumps({"supergraph": out.read_text(), "documents": documents})
    assert json.loads(node(VALIDATE, payload, cwd=ROOT / "federation")) == {}
