"""Customers: the rules a customer must satisfy, and the one service that writes them."""
