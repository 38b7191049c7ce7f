"""The permissions the power pack declares and checks."""

from __future__ import annotations

from crm_host.sdk import Permission

ACCOUNTS_READ = "power.accounts.read"
ACCOUNTS_WRITE = "power.accounts.write"
READINGS_READ = "power.readings.read"
READINGS_IMPORT = "power.readings.import"
ADVICE_READ = "power.advice.read"
ADVICE_WRITE = "power.advice.write"
FAULTS_READ = "power.faults.read"
FAULTS_WRITE = "power.faults.write"
INSPECTIONS_READ = "power.inspections.read"
INSPECTIONS_WRITE = "power.inspections.write"
GUARANTEES_READ = "power.guarantees.read"
GUARANTEES_WRITE = "power.guarantees.write"
# Credits are money the company owes: like prices, only administrators define them.
GUARANTEES_MANAGE = "power.guarantees.manage"
# ``manage``: the standard roles never reach it, so prices change by administrators only.
TARIFFS_READ = "power.tariffs.read"
TARIFFS_MANAGE = "power.tariffs.manage"

PERMISSIONS = [
    Permission(ACCOUNTS_READ, "See accounts, meters, equipment and bills"),
    Permission(ACCOUNTS_WRITE, "Create and change accounts, meters and equipment"),
    Permission(READINGS_READ, "See interval readings, load curves and metrics"),
    Permission(READINGS_IMPORT, "Import interval readings"),
    Permission(ADVICE_READ, "See energy-saving and grid-upgrade advice"),
    Permission(ADVICE_WRITE, "Recompute advice and bills"),
    Permission(FAULTS_READ, "See reported faults"),
    Permission(FAULTS_WRITE, "Report faults"),
    Permission(INSPECTIONS_READ, "See inspection plans and records"),
    Permission(INSPECTIONS_WRITE, "Plan inspections and record them"),
    Permission(GUARANTEES_READ, "See service guarantees and the credits owed"),
    Permission(GUARANTEES_WRITE, "Start service guarantees and mark them met"),
    Permission(GUARANTEES_MANAGE, "Define guarantee types, their targets and credits"),
    Permission(TARIFFS_READ, "See tariffs"),
    Permission(TARIFFS_MANAGE, "Define tariffs and their time-of-use periods"),
]
