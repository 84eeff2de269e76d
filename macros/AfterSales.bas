Attribute VB_Name = "AfterSales"
' After-sales register buttons (aftersales init --macros). Each macro hands over to Python:
' xlwings' RunPython imports aftersales_macros.py (next to this workbook), which calls the
' aftersales package. Keep this module ASCII: the VBA
' project is stored in code page 1252. Chinese captions live on the buttons, not here.
Option Explicit

' Button: generate the forms of the selected rows and open them when done.
Sub GenerateForms()
    RunPython "import aftersales_macros; aftersales_macros.render_selected()"
End Sub

' Button: check every register in this folder, write the findings back, show the result sheet.
Sub CheckRegisters()
    RunPython "import aftersales_macros; aftersales_macros.check()"
End Sub

' Button: fill the empty number cells in date order.
Sub AssignNumbers()
    RunPython "import aftersales_macros; aftersales_macros.assign_numbers()"
End Sub

' Button: list the overdue cases for reminders.
Sub SendReminders()
    RunPython "import aftersales_macros; aftersales_macros.remind()"
End Sub
