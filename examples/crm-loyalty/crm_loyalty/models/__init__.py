"""The loyalty plugin's tables, one module per aggregate.

Every table starts with ``loyalty_``. The balance is derived data kept in the plugin's
own table, never written onto the customer.
"""

from crm_loyalty.models.accounts import Account, Movement

__all__ = ["Account", "Movement"]
