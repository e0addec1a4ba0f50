-- Tables the archive can show as pipe tables: a merged cell keeps its text once and the cells it
-- covered stay empty (no repeats); a cell with several paragraphs becomes one line.
local function one_line(cell)
  local inlines = pandoc.List()
  for i, block in ipairs(cell.contents) do
    if i > 1 then inlines:insert(pandoc.Space()) end
    inlines:extend(pandoc.utils.blocks_to_inlines({block}))
  end
  cell.contents = {pandoc.Plain(inlines)}
  return cell
end

local function flatten(rows, carry)
  for _, row in ipairs(rows) do
    local out, col, i = pandoc.List(), 1, 1
    while true do
      while (carry[col] or 0) > 0 do
        out:insert(pandoc.Cell({}))
        carry[col] = carry[col] - 1
        col = col + 1
      end
      local cell = row.cells[i]
      if not cell then break end
      i = i + 1
      local across, down = cell.col_span, cell.row_span
      cell.col_span, cell.row_span = 1, 1
      out:insert(one_line(cell))
      for k = 0, across - 1 do
        if k > 0 then out:insert(pandoc.Cell({})) end
        if down > 1 then carry[col] = down - 1 end
        col = col + 1
      end
    end
    row.cells = out
  end
end

function Table(tbl)
  local carry = {}
  flatten(tbl.head.rows, carry)
  for _, body in ipairs(tbl.bodies) do
    flatten(body.head, carry)
    flatten(body.body, carry)
  end
  flatten(tbl.foot.rows, carry)
  for i, spec in ipairs(tbl.colspecs) do
    tbl.colspecs[i] = {spec[1], pandoc.ColWidthDefault}
  end
  return tbl
end
