"""Plots for the reports. Every plot function takes a tidy frame and keywords, accepts ``ax=None``
and returns the Axes: :mod:`~so_eval.plots.goals`, :mod:`~so_eval.plots.value`,
:mod:`~so_eval.plots.screening`, :mod:`~so_eval.plots.effects`; :mod:`~so_eval.plots.base` holds
the shared axes, palette, legend and Danish tick labels."""
