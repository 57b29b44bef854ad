"""`qms schema`: the JSON Schema of model files, for editors."""

from __future__ import annotations

import click


@click.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=str),
    default=None,
    help="Write to this file instead of standard output.",
)
@click.option("--force", is_flag=True, help="Overwrite an existing file that differs.")
def schema(output: str | None, force: bool) -> None:
    """Print the JSON Schema of model files (every kind, discriminated by `kind:`).

    Editors with the YAML language server complete and check keys as you type when a model
    file starts with a line such as:

    \b
        # yaml-language-server: $schema=../../qms.schema.json

    \b
    Examples:
        qms schema > qms.schema.json
        qms schema -o models/lamppu/qms.schema.json
    """
    from qms.files import write_safely
    from qms.schema import schema_text

    text = schema_text()
    if output is None:
        click.echo(text, nl=False)
        return
    write_safely(output, text, force=force)
    click.echo(f"qms: wrote {output}", err=True)
