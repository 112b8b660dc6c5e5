"""Organisations: a prison's recovery team, a mentoring charity, a throughcare service, a recovery community.

People belong to one or more; meetings and pathways have an owning organisation; a co-ordinator acts within
their organisations and an admin spans all. The rule is `access.may_act_for` (and its SQL twin `access.within`).
"""
