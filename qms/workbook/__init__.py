"""The workbook door to the model: `qms export --format xlsx` writes one workbook per
organisation, `qms import xlsx` writes its changes back into the YAML (the single source),
keeping comments, key order and every field the workbook does not carry."""
