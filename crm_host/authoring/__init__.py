"""The plugin author kit: the skeleton behind ``crm plugins new``, the contract checker
behind ``crm plugins check`` and the generator of the hook reference."""
