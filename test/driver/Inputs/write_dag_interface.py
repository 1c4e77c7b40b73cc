# Writes Dag.spi: T(i) refers to T(i-1) twice, 48 levels.
print("INTERFACE Dag;")
print("TYPE T0 = INTEGER;")
for i in range(1, 48):
    print("T%d = RECORD a, b: REF T%d END;" % (i, i - 1))
print("END Dag.")
