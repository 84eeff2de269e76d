Attribute VB_Name = "AfterSales"
' After-sales register buttons (aftersales init --macros). Each macro hands over to Python:
' xlwings' RunPython imports aftersales_macros.py (next to this workbook), which calls the
' aftersales package. Keep this module ASCII: the VBA project is stored in code page 1252;
' Chinese text is built with ChrW from hex code units (see Zh). Chinese captions live on the buttons.
Option Explicit

' Button: generate the forms of the selected rows and open them when done.
Sub GenerateForms()
    If Not Ready() Then Exit Sub
    RunPython "import aftersales_macros; aftersales_macros.render_selected()"
End Sub

' Button: check every register in this folder, write the findings back, show the result sheet.
Sub CheckRegisters()
    If Not Ready() Then Exit Sub
    RunPython "import aftersales_macros; aftersales_macros.check()"
End Sub

' Button: fill the empty number cells in date order.
Sub AssignNumbers()
    If Not Ready() Then Exit Sub
    RunPython "import aftersales_macros; aftersales_macros.assign_numbers()"
End Sub

' Button: list the overdue cases for reminders.
Sub SendReminders()
    If Not Ready() Then Exit Sub
    RunPython "import aftersales_macros; aftersales_macros.remind()"
End Sub

' Before handing over to Python: the interpreter xlwings will use (xlwings.conf, else python
' on the PATH) must start and have xlwings and the aftersales package (import name generator).
' Otherwise a Chinese message says what to install. Windows only: on a Mac, xlwings reports
' a missing interpreter itself.
Private Function Ready() As Boolean
#If Mac Then
    Ready = True
#Else
    Dim python As String, code As Long, probe As String, install As String
    python = GetConfig("INTERPRETER_WIN", "")
    If python = "" Then python = GetConfig("INTERPRETER", "python")
    probe = " -c ""import importlib.util as u, sys; " & _
            "sys.exit(3 if u.find_spec('xlwings') is None else 4 if u.find_spec('generator') is None else 0)"""
    code = 1
    On Error Resume Next
    code = CreateObject("WScript.Shell").Run(Quoted(python) & probe, 0, True)
    If Err.Number <> 0 Then code = 2
    On Error GoTo 0
    install = vbCrLf & vbCrLf & INSTALL_TEXT & vbCrLf & Quoted(python) & " -m pip install ""aftersales[excel]"""
    Select Case code
        Case 0
            Ready = True
        Case 3
            MsgBox NO_XLWINGS_TEXT & python & install, vbExclamation, TITLE_TEXT
        Case 4
            MsgBox NO_PACKAGE_TEXT & python & install, vbExclamation, TITLE_TEXT
        Case Else
            MsgBox NO_PYTHON_TEXT & python & vbCrLf & vbCrLf & NO_PYTHON_HOW_TEXT, vbExclamation, TITLE_TEXT
    End Select
#End If
End Function

Private Function Quoted(path As String) As String
    If InStr(path, " ") > 0 And Left$(path, 1) <> """" Then Quoted = """" & path & """" Else Quoted = path
End Function

' Text from UTF-16 code units written in hex, four digits each (keeps this module ASCII).
Private Function Zh(units As String) As String
    Dim i As Long
    For i = 1 To Len(units) Step 4
        Zh = Zh & ChrW(CLng("&H" & Mid$(units, i, 4)))
    Next i
End Function

' The messages (English meaning in the comments).
Private Function TITLE_TEXT() As String   ' after-sales registers
    TITLE_TEXT = Zh("552E540E53F08D26")
End Function

Private Function NO_PYTHON_TEXT() As String   ' no working Python interpreter:
    NO_PYTHON_TEXT = Zh("627E4E0D523053EF75287684") & " Python " & Zh("89E391CA5668FF1A")
End Function

Private Function NO_PYTHON_HOW_TEXT() As String   ' install Python 3.11+, then this tool; or set the path in xlwings.conf
    NO_PYTHON_HOW_TEXT = Zh("8BF751485B8988C5") & " Python 3.11 " & Zh("621666F465B07248672CFF08") & "python.org" & Zh("FF0C5B8988C565F652FE9009") & " Add python.exe to PATH" & Zh("FF09FF0C518D6309") & " macros/README.md " & Zh("5B8988C5672C5DE55177FF1B621675288BB04E8B672C5728672C76EE5F557684") & " xlwings.conf " & Zh("4E2D586B5199") & " python.exe " & Zh("76845B8C65748DEF5F843002")
End Function

Private Function NO_XLWINGS_TEXT() As String   ' this Python has no xlwings:
    NO_XLWINGS_TEXT = Zh("8FD94E2A") & " Python " & Zh("4E2D6CA167095B8988C5") & " xlwings" & Zh("FF1A")
End Function

Private Function NO_PACKAGE_TEXT() As String   ' this Python has no aftersales package:
    NO_PACKAGE_TEXT = Zh("8FD94E2A") & " Python " & Zh("4E2D6CA167095B8988C5") & " aftersales " & Zh("5DE551775305FF1A")
End Function

Private Function INSTALL_TEXT() As String   ' run this in a command prompt:
    INSTALL_TEXT = Zh("8BF75728547D4EE463D0793A7B264E2D8FD0884CFF1A")
End Function
