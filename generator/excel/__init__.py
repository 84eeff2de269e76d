"""The Excel front end: .xlsm registers with a generated VBA project and buttons, and the
Python side of each button (check, assign numbers, render the selected rows, remind).

May import: every layer but ``cli``.
"""
