"""What the bot draws and writes: the progress chart and the XLSX/CSV workbooks."""
