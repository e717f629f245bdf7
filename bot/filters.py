from aiogram import F

# In the middle of a flow, any command still goes to its own handler.
NOT_COMMAND = ~F.text.startswith("/")
