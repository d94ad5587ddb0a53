module early.motcua/locale

go 1.26.0
