"""What ``crm marketing analytics clv`` prints: the model comparison, and the fits of
a reference data set read with ``--from-file``."""

from __future__ import annotations

from typing import Any

import click

MODEL_NAMES = {"bgnbd": "BG/NBD", "pareto_nbd": "Pareto/NBD"}


def echo_comparison(comparison: dict[str, Any]) -> None:
    """One line per model: parameters, log-likelihood and holdout error."""
    weeks = comparison.get("holdout_weeks")
    for name, entry in comparison.get("models", {}).items():
        label = MODEL_NAMES.get(name, name)
        if "error" in entry:
            click.echo(f"{label}: not fitted: {entry['error']}")
            continue
        params = " ".join(f"{key}={value:.4g}" for key, value in entry["params"].items())
        line = f"{label} {params} log-likelihood={entry['log_likelihood']:.1f}"
        if entry.get("holdout_error") is not None:
            line += (
                f"; holdout {weeks:.1f} weeks: predicted {entry['holdout_predicted']:.1f}, "
                f"actual {entry['holdout_actual']:.0f}, "
                f"mean absolute error {entry['holdout_error']:.4f}"
            )
        click.echo(line)


def report_file(path: str) -> None:
    """Fit both purchase models (and Gamma-Gamma when spend is given) on a CSV file and
    print them; a bad file or a failed fit exits 1 with one line saying why."""
    # Imported here, as the refresh does: scipy loads slowly.
    from crm_marketing import clv, value_files, value_models

    try:
        data, holdout = value_files.read(path)
        comparison = value_models.compare(data, holdout)
    except (value_files.ValueFileError, clv.FitError) as error:
        raise click.ClickException(str(error)) from None
    repeat = int((data.frequency > 0).sum())
    click.echo(f"{len(data.customer_ids)} customers ({repeat} bought again) from {path}")
    echo_comparison(comparison)
    try:
        spend = clv.fit_gamma_gamma(data.frequency, data.average_spend)
    except clv.FitError as error:
        click.echo(f"Gamma-Gamma: not fitted: {error}")
        return
    click.echo(f"Gamma-Gamma p={spend.p:.4g} q={spend.q:.4g} v={spend.v:.4g}")
